using NUnit.Framework;
using ProviderSpecs.Runner.NUnitIntegration;

/// <summary>
/// Starts and ends the Reqnroll test run around every feature. In the global namespace on purpose: NUnit places
/// the feature fixtures by their readable names, not by a C# namespace, so only a global set-up fixture
/// encloses them all.
/// </summary>
[SetUpFixture]
public sealed class SpecificationRun : ReqnrollTestRun;

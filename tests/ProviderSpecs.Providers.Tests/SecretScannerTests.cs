using ProviderSpecs.Providers.Credentials;

namespace ProviderSpecs.Providers.Tests;

[TestFixture]
public sealed class SecretScannerTests
{
    // Built at run time so no key-shaped literal sits in the source tree.
    private static readonly string CanaryKey = "gsk_" + new string('c', 12) + Guid.NewGuid().ToString("N");

    [Test]
    public void A_key_the_run_used_is_found_and_reported_masked()
    {
        var findings = new SecretScanner([CanaryKey]).ScanText("console.log", $"line one\nrequest sent with {CanaryKey} oops\n");
        var finding = findings.ShouldHaveSingleItem();
        finding.Line.ShouldBe(2);
        finding.ToString().ShouldNotContain(CanaryKey);
        finding.MaskedValue.ShouldBe(KeyMask.Mask(CanaryKey));
    }

    [Test]
    public void A_string_shaped_like_a_real_provider_key_is_found_even_if_unknown()
    {
        var lookalike = "xai-" + Guid.NewGuid().ToString("N");
        new SecretScanner([]).ScanText("report.html", $"<td>{lookalike}</td>").ShouldHaveSingleItem().Why.ShouldBe("shaped like a provider key");
    }

    [TestCase("gsk_…a1b2")]
    [TestCase("gsk_sim_0001a1b2")]
    [TestCase("tg_sim_default_key")]
    [TestCase("Authorization: Bearer gsk_…9f3e")]
    public void Masks_and_short_test_keys_are_not_findings(string text) =>
        new SecretScanner([]).ScanText("x", text).ShouldBeEmpty();

    [Test]
    public void Folders_are_scanned_recursively_without_build_output()
    {
        var root = Directory.CreateTempSubdirectory("scan-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "reports"));
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.WriteAllText(Path.Combine(root, "reports", "specs.ndjson"), $"{{\"text\":\"{CanaryKey}\"}}");
        File.WriteAllText(Path.Combine(root, "bin", "ignored.txt"), CanaryKey);
        var scanned = new List<string>();

        var findings = new SecretScanner([CanaryKey]).ScanPaths([root], scanned.Add);

        findings.ShouldHaveSingleItem().File.ShouldEndWith("specs.ndjson");
        scanned.Count.ShouldBe(1);
    }
}

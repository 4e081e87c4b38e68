using Reqnroll;
using Shouldly;
namespace ProviderSpecs.Steps.Support;
[Binding]
public sealed class ScratchSteps
{
    private int _n;
    [Given("the number {int}")] public void GivenNumber(int n) => _n = n;
    [Then("it is even")] public void ThenEven() => (_n % 2).ShouldBe(0);
}

using ProviderSpecs.Providers.Catalog;

namespace ProviderSpecs.Providers.Tests;

/// <summary>The size a model's id states, and narrowing the catalog by it.</summary>
public class ModelSizeTests
{
    [TestCase("llama-3.1-8b-instant", 8, null)]
    [TestCase("llama-3.3-70b-versatile", 70, null)]
    [TestCase("meta-llama/Llama-3.3-70B-Instruct-Turbo", 70, null)]
    [TestCase("Qwen/Qwen2.5-7B-Instruct-Turbo", 7, null)]
    [TestCase("Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8", 480, 35)]
    [TestCase("Qwen/Qwen3-235B-A22B-Instruct-2507-tput", 235, 22)]
    [TestCase("nvidia/nemotron-3-ultra-550b-a55b", 550, 55)]
    [TestCase("LiquidAI/LFM2-24B-A2B", 24, 2)]
    [TestCase("deepcogito/cogito-v2-1-671b", 671, null)]
    [TestCase("openai/gpt-oss-20b", 20, null)]
    [TestCase("meta-llama/Meta-Llama-Guard-3-8B", 8, null)]
    [TestCase("Qwen/Qwen2.5-1.5B-Instruct", 1.5, null)]
    public void The_id_states_the_total_and_for_a_mixture_of_experts_the_active_parameters(string id, double total, double? active)
    {
        var size = ModelSize.FromId(id).ShouldNotBeNull(id);
        size.TotalBillions.ShouldBe((decimal)total);
        size.ActiveBillions.ShouldBe(active is null ? null : (decimal)active.Value);
    }

    [TestCase("meta-llama/llama-prompt-guard-2-22m", 0.022)]
    [TestCase("togethercomputer/m2-bert-80M-32k-retrieval", 0.08)]
    public void Millions_are_read_as_fractions_of_a_billion(string id, double total) =>
        ModelSize.FromId(id)!.TotalBillions.ShouldBe((decimal)total);

    [TestCase("deepseek-ai/DeepSeek-R1")]            // no size in the id
    [TestCase("whisper-large-v3")]
    [TestCase("moonshotai/Kimi-K2.6")]
    [TestCase("MiniMaxAI/MiniMax-M2.7")]
    [TestCase("google/gemma-3n-E4B-it")]             // an effective size, not the parameter count
    [TestCase("mistralai/Mixtral-8x7B-v0.1")]        // experts × size: the total is less than the product
    [TestCase("BAAI/bge-large-en-v1.5")]
    [TestCase("")]
    public void An_id_that_states_no_honest_total_gives_no_size(string id) =>
        ModelSize.FromId(id).ShouldBeNull(id);

    [Test]
    public void An_active_size_beside_the_number_of_experts_leaves_the_total_unknown()
    {
        var size = ModelSize.FromId("meta-llama/llama-4-scout-17b-16e-instruct")!;
        size.TotalBillions.ShouldBeNull();
        size.ActiveBillions.ShouldBe(17m);
        size.ToString().ShouldBe("17B active (total not stated)");
    }

    [Test]
    public void The_size_reads_as_a_reader_writes_it()
    {
        ModelSize.FromId("Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8")!.ToString().ShouldBe("480B (35B active)");
        ModelSize.FromId("llama-3.1-8b-instant")!.ToString().ShouldBe("8B");
    }

    [Test]
    public void A_size_filter_keeps_the_models_whose_id_states_a_total_within_bounds_and_leaves_out_unknown_sizes()
    {
        ModelInfo M(string id) => new() { Id = id, ProviderId = "together_ai" };
        var models = new[]
        {
            M("meta-llama/Meta-Llama-3-8B-Instruct-Lite"), M("meta-llama/Llama-3.3-70B-Instruct-Turbo"),
            M("Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8"), M("deepseek-ai/DeepSeek-R1"), M("meta-llama/llama-4-scout-17b-16e-instruct"),
        };
        models.Where(new ModelFilter { MaxParametersBillions = 10 }.Matches).Select(m => m.Id)
            .ShouldBe(["meta-llama/Meta-Llama-3-8B-Instruct-Lite"]);
        models.Where(new ModelFilter { MinParametersBillions = 100 }.Matches).Select(m => m.Id)
            .ShouldBe(["Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8"], "the total counts, not the 35B active");
        models.Where(new ModelFilter { MinParametersBillions = 8, MaxParametersBillions = 70 }.Matches).Select(m => m.Id)
            .ShouldBe(["meta-llama/Meta-Llama-3-8B-Instruct-Lite", "meta-llama/Llama-3.3-70B-Instruct-Turbo"]);
    }
}

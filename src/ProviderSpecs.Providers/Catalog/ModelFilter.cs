namespace ProviderSpecs.Providers.Catalog;

/// <summary>Catalog filters; every set criterion must hold. A model whose value is unknown does not match that criterion.</summary>
public sealed record ModelFilter
{
    public ModelKind? Kind { get; init; }
    public IReadOnlyList<ModelCapability> Capabilities { get; init; } = [];
    public int? MinContextWindow { get; init; }
    /// <summary>Upper bound on input and output price, USD per 1M tokens.</summary>
    public decimal? MaxPricePerMillionTokens { get; init; }
    public string? Owner { get; init; }
    /// <summary>Upper bound on the total parameters the model's id states, in billions (<see cref="ModelInfo.Size"/>).</summary>
    public decimal? MaxParametersBillions { get; init; }
    /// <summary>Lower bound on the total parameters the model's id states, in billions.</summary>
    public decimal? MinParametersBillions { get; init; }
    /// <summary>Case-insensitive text matched against id, display name and owner.</summary>
    public string? Search { get; init; }
    public bool ActiveOnly { get; init; }

    public bool Matches(ModelInfo model) =>
        (Kind is null || model.Kind == Kind)
        && Capabilities.All(c => model.Capabilities.Get(c) == true)
        && (MinContextWindow is null || model.ContextWindow >= MinContextWindow)
        && (MaxPricePerMillionTokens is null
            || (model.InputPricePerMillionTokens <= MaxPricePerMillionTokens && model.OutputPricePerMillionTokens <= MaxPricePerMillionTokens))
        && (MaxParametersBillions is null || model.Size?.TotalBillions <= MaxParametersBillions)
        && (MinParametersBillions is null || model.Size?.TotalBillions >= MinParametersBillions)
        && (Owner is null || string.Equals(model.Owner, Owner, StringComparison.OrdinalIgnoreCase))
        && (!ActiveOnly || model.Active != false)
        && (string.IsNullOrWhiteSpace(Search) || Contains(model.Id) || Contains(model.DisplayName) || Contains(model.Owner));

    private bool Contains(string? text) => text is not null && text.Contains(Search!.Trim(), StringComparison.OrdinalIgnoreCase);
}

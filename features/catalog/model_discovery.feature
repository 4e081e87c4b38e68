@provider_validation @functional_validation
Feature: The catalog shows each provider's models with accurate metadata
  The catalog is the provider layer's view of a provider's models: its own `GET /models` answer, normalised to one
  shape across providers, with the facts `/models` does not say (output limits, prices, capabilities) filled in
  from the bundled snapshot (`fixtures/metadata/models-snapshot.json`, restated from models.dev).

  ```csharp
  await using var session = ProviderSession.Open("together");
  CatalogListing listing = await session.Catalog.GetModelsAsync();
  ModelInfo model = await session.Catalog.GetAsync("meta-llama/Llama-3.3-70B-Instruct-Turbo");
  ```

  | field                    | Groq `/models`          | Together AI `/models`     | when the provider says nothing |
  |--------------------------|-------------------------|---------------------------|--------------------------------|
  | context window           | `context_window`        | `context_length`          | snapshot                       |
  | max output               | `max_completion_tokens` | —                         | snapshot                       |
  | kind (chat, code, …)     | —                       | `type`                    | snapshot                       |
  | price per 1M tokens (USD) | —                      | `pricing.input`/`output`  | snapshot                       |
  | capabilities             | —                       | —                         | snapshot                       |

  Each field records where it came from (`ModelInfo.Provenance`: `live` or `snapshot`). The models a run saw are
  published to `reports/catalog.json` and shown in the usage guide's model table; how they differ from the
  snapshot — models new since it was taken, models retired since — is its *catalog drift*, also in the usage guide.
  A model named here that a provider no longer lists fails as a finding ("Together AI no longer lists …; it was
  in the snapshot of …"): replace it as the glossary's *Scenario models* says.

  Rule: The catalog agrees with the provider's own model list

    Whatever the provider says about a model wins over the snapshot; the snapshot only fills gaps.

    Scenario Outline: the catalog of <provider> agrees field by field with <provider>'s own model list
      When the catalog of <provider> is read
      Then the catalog comes from <provider>'s own model list
      And the catalog agrees with <provider>'s own model list on every model

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

  Rule: The catalog states the facts a user chooses a model by

    Context window and max output are in tokens; prices are USD per million tokens, input and output.
    Groq's `/models` gives no prices, so Groq prices come from the snapshot.

    Scenario Outline: <model> at <provider> is a <kind> model with <context> tokens of context
      When the catalog of <provider> is read
      Then the model list shows "<model>" as a <kind> model with a context window of <context> tokens
      And the model list shows "<model>" writing at most <max output> tokens
      And the model list shows "<model>" costing $<input> in and $<output> out per million tokens

      @groq
      Examples: Groq
        | provider | model                   | kind | context | max output | input | output |
        | Groq     | llama-3.1-8b-instant    | chat | 131072  | 131072     | 0.05  | 0.08   |
        | Groq     | llama-3.3-70b-versatile | chat | 131072  | 32768      | 0.59  | 0.79   |
        | Groq     | openai/gpt-oss-20b      | chat | 131072  | 65536      | 0.075 | 0.3    |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | kind | context | max output | input | output |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | chat | 131072  | 131072     | 0.88  | 0.88   |
        | Together AI | Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8 | code | 262144  | 262144     | 2     | 2      |
        | Together AI | deepseek-ai/DeepSeek-R1                 | chat | 163839  | 163839     | 3     | 7      |

    Scenario Outline: <model> at <provider> is listed as supporting <capability>
      When the catalog of <provider> is read
      Then the model list shows "<model>" supporting <capability>

      @groq
      Examples: Groq
        | provider | model                | capability  |
        | Groq     | openai/gpt-oss-20b   | JSON schema |
        | Groq     | qwen/qwen3-32b       | reasoning   |
        | Groq     | llama-3.1-8b-instant | tool calls  |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | capability  |
        | Together AI | Qwen/Qwen2.5-7B-Instruct-Turbo          | JSON schema |
        | Together AI | deepseek-ai/DeepSeek-R1                 | reasoning   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | tool calls  |

  Rule: A catalog that cannot be fetched falls back to the bundled snapshot, and says so

    When `/models` fails (an outage, a timeout, no key) the catalog still answers — from the snapshot — with
    `CatalogListing.FellBackToSnapshot = true` and a `FallbackReason` that starts with the error key
    (`overloaded: …`). Show that reason to the user: the list may be out of date. The live list is tried again
    after `CatalogFallbackTimeToLive` (30 s by default). Making `/models` fail on purpose needs the simulated
    provider, so this runs on the simulated target only.

    @simulator_only
    Scenario Outline: an unavailable model list at <provider> falls back to the snapshot
      Given the model list of <provider> is unavailable
      When the catalog of <provider> is read
      Then the catalog comes from the bundled snapshot
      And the catalog says it fell back because of "overloaded"
      And the model list shows "<model>" as a chat model with a context window of <context> tokens

      @groq
      Examples: Groq
        | provider | model                | context |
        | Groq     | llama-3.1-8b-instant | 131072  |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | context |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 131072  |

  Rule: An unknown model id is refused with the close matches

    `model-not-found` means the provider does not serve that id (a typo, a retired model, a model of another
    provider). The message lists the closest ids the catalog knows: pick one of those.

    Scenario Outline: asking <provider>'s catalog for "<typo>" suggests "<model>"
      When the catalog of <provider> is asked for the model "<typo>"
      Then the attempt fails with "model-not-found"
      And the catalog suggests "<model>"

      @groq
      Examples: Groq
        | provider | typo                | model                |
        | Groq     | llama-3.1-8b-instnt | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | typo                               | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: The models a run saw are shown in the usage guide

    Scenario Outline: the catalog of <provider> is published to the usage guide's model table
      When the catalog of <provider> is read
      And the catalog is published for the usage guide
      Then the usage guide's model table lists every model of the catalog

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

@provider_validation @functional_validation
Feature: The catalog shows each provider's models with accurate metadata
  The catalog is the provider layer's view of a provider's models: the provider's own model list, in one shape for
  every provider, with the facts that list does not state (output limits, prices, capabilities) filled in from the
  bundled **metadata snapshot**. How to read it in code: the guide's *Choosing a model from the catalog*.

  | fact                      | Groq's own list | Together AI's own list | when the provider says nothing |
  |---------------------------|-----------------|------------------------|--------------------------------|
  | context window            | yes             | yes                    | snapshot                       |
  | max output                | yes             | —                      | snapshot                       |
  | kind (chat, code, …)      | —               | yes                    | snapshot                       |
  | price per 1M tokens (USD) | —               | yes                    | snapshot                       |
  | capabilities              | —               | —                      | snapshot                       |
  | size in parameters        | the model's id  | the model's id         | not stated                     |

  Each fact records where it came from (the provider, or the snapshot). The models a run saw are shown in the
  usage guide's model table; how they differ from the snapshot — models new since it was taken, models retired
  since — is the *catalog drift*, also in the usage guide. A model named here that a provider no longer lists fails
  as a finding ("Together AI no longer lists …; it was in the snapshot of …"): replace it as the glossary's
  *Scenario models* says.

  When the model list cannot be fetched (an outage, a timeout, no key) the catalog still answers, from the
  snapshot, and says why: show that reason to the user, the list may be out of date. That is shown, with every
  other fault, in [the fault matrix](../reliability/fault_matrix.feature).

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
    Groq's own list gives no prices, so Groq prices come from the snapshot.

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

  Rule: The catalog gives each model the size its id states

    Neither provider's list nor the snapshot states a model's size, but most ids do: "70B" is 70 billion parameters,
    "480B-A35B" a mixture of experts of 480 billion with 35 billion at work per token. An id that states no size
    (`deepseek-ai/DeepSeek-R1`), only an effective one (`gemma-3n-E4B`) or experts times their size (`Mixtral-8x7B`)
    gives none, rather than a guess.

    Scenario Outline: <provider>'s <model> has <total> billion parameters, as its id states
      When the catalog of <provider> is read
      Then the model list shows "<model>" with <total> billion parameters

      @groq
      Examples: Groq
        | provider | model                   | total |
        | Groq     | llama-3.1-8b-instant    | 8     |
        | Groq     | llama-3.3-70b-versatile | 70    |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | total |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 70    |
        | Together AI | Qwen/Qwen2.5-7B-Instruct-Turbo          | 7     |

    @together_ai
    Scenario: Together AI's Qwen3 Coder is a mixture of experts of 480 billion parameters, 35 billion at work
      When the catalog of Together AI is read
      Then the model list shows "Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8" with 480 billion parameters, 35 billion of them active

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

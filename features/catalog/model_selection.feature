@provider_validation @functional_validation
Feature: The catalog narrows a provider's models to the ones fit for a job
  Narrowing keeps the models that meet every criterion set. A model whose value is unknown does not meet that
  criterion: a model with no price never passes a price ceiling, and one whose id states no size never passes a size
  bound. How to narrow in code: the guide's *Choosing a model from the catalog*.

  Which model for which job (facts from the catalog, see [model discovery](model_discovery.feature)):

  | job                                   | Groq                      | Together AI                                |
  |---------------------------------------|---------------------------|--------------------------------------------|
  | fast, cheap chat                      | `llama-3.1-8b-instant`    | `meta-llama/Meta-Llama-3-8B-Instruct-Lite` |
  | strong general chat                   | `llama-3.3-70b-versatile` | `meta-llama/Llama-3.3-70B-Instruct-Turbo`  |
  | structured output (JSON schema)       | `openai/gpt-oss-20b`      | `Qwen/Qwen2.5-7B-Instruct-Turbo`           |
  | reasoning                             | `qwen/qwen3-32b`          | `deepseek-ai/DeepSeek-R1`                  |
  | code                                  | —                         | `Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8`  |
  | embeddings, reranking, images         | —                         | see the kinds below                        |

  Rule: Narrowing by capability keeps only the models that have it

    Scenario Outline: <provider>'s models that support <capability> include <model>
      When the catalog of <provider> is read
      And the model list is narrowed to models that support <capability>
      Then every model left supports <capability>
      And the model list includes "<model>"
      And the model list leaves out "<without>"

      @groq
      Examples: Groq
        | provider | capability  | model              | without                 |
        | Groq     | JSON schema | openai/gpt-oss-20b | llama-3.1-8b-instant    |
        | Groq     | reasoning   | qwen/qwen3-32b     | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | capability  | model                                   | without                                 |
        | Together AI | JSON schema | Qwen/Qwen2.5-7B-Instruct-Turbo          | deepseek-ai/DeepSeek-R1                 |
        | Together AI | reasoning   | deepseek-ai/DeepSeek-R1                 | meta-llama/Llama-3.3-70B-Instruct-Turbo |
        | Together AI | tool calls  | meta-llama/Llama-3.3-70B-Instruct-Turbo | google/gemma-3n-E4B-it                  |

  Rule: Narrowing by context window keeps the models that hold at least that many tokens

    Scenario Outline: <provider>'s models with at least <minimum> tokens of context include <model>
      When the catalog of <provider> is read
      And the model list is narrowed to models with a context window of at least <minimum> tokens
      Then every model left has a context window of at least <minimum> tokens
      And the model list includes "<model>"
      And the model list leaves out "<without>"

      @groq
      Examples: Groq
        | provider | minimum | model                | without                             |
        | Groq     | 100000  | llama-3.1-8b-instant | meta-llama/llama-prompt-guard-2-22m |

      @together_ai
      Examples: Together AI
        | provider    | minimum | model                                   | without                                 |
        | Together AI | 200000  | Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8 | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: Narrowing by kind separates chat from code, language, embedding, rerank, image and other models

    Only chat and code models answer chat completions; embedding, rerank and image models have their own
    endpoints, and a chat completion with one of them is refused (see [completions](../completions/completion_models.feature)).

    Scenario Outline: Together AI's catalog lists <kind> models such as <model>
      When the catalog of Together AI is read
      And the model list is narrowed to <kind> models
      Then every model left is a <kind> model
      And the model list includes "<model>"

      @together_ai
      Examples: Together AI
        | kind       | model                                      |
        | chat       | meta-llama/Llama-3.3-70B-Instruct-Turbo    |
        | code       | Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8    |
        | language   | mistralai/Mixtral-8x7B-v0.1                |
        | embedding  | BAAI/bge-large-en-v1.5                     |
        | rerank     | Salesforce/Llama-Rank-V1                   |
        | image      | black-forest-labs/FLUX.1-schnell           |
        | moderation | meta-llama/Meta-Llama-Guard-3-8B           |

    Scenario Outline: Groq's catalog lists <kind> models such as <model>
      When the catalog of Groq is read
      And the model list is narrowed to <kind> models
      Then every model left is a <kind> model
      And the model list includes "<model>"

      @groq
      Examples: Groq
        | kind       | model                               |
        | chat       | llama-3.1-8b-instant                |
        | audio      | whisper-large-v3                    |
        | moderation | meta-llama/llama-prompt-guard-2-22m |

  Rule: Narrowing by price keeps the models whose input and output both cost at most that much

    Scenario Outline: <provider>'s models at most $<maximum> per million tokens include <model>
      When the catalog of <provider> is read
      And the model list is narrowed to models costing at most $<maximum> per million tokens
      Then every model left costs at most $<maximum> per million tokens
      And the model list includes "<model>"
      And the model list leaves out "<without>"

      @groq
      Examples: Groq
        | provider | maximum | model                | without                 |
        | Groq     | 0.10    | llama-3.1-8b-instant | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | maximum | model              | without                                 |
        | Together AI | 0.20    | openai/gpt-oss-20b | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: Narrowing by size keeps the models whose id states a size within the bound

    Size is the total number of parameters, in billions, as the model's id states it (see
    [model discovery](model_discovery.feature)): a mixture of experts counts all its experts, not the ones at work
    per token, and a model whose id states no size is left out of every size bound.

    Scenario Outline: <provider>'s models of at most <maximum> billion parameters include <model>
      When the catalog of <provider> is read
      And the model list is narrowed to models of at most <maximum> billion parameters
      Then every model left has at most <maximum> billion parameters
      And the model list includes "<model>"
      And the model list leaves out "<without>"

      @groq
      Examples: Groq
        | provider | maximum | model                | without                 |
        | Groq     | 10      | llama-3.1-8b-instant | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | maximum | model                                    | without                                 | description                        |
        | Together AI | 10      | meta-llama/Meta-Llama-3-8B-Instruct-Lite | meta-llama/Llama-3.3-70B-Instruct-Turbo |                                    |
        | Together AI | 10      | Qwen/Qwen2.5-7B-Instruct-Turbo           | deepseek-ai/DeepSeek-R1                 | an id that states no size is left out |

    Scenario Outline: <provider>'s models of at least <minimum> billion parameters include <model>
      When the catalog of <provider> is read
      And the model list is narrowed to models of at least <minimum> billion parameters
      Then every model left has at least <minimum> billion parameters
      And the model list includes "<model>"
      And the model list leaves out "<without>"

      @groq
      Examples: Groq
        | provider | minimum | model               | without                                   | description                              |
        | Groq     | 100     | openai/gpt-oss-120b | meta-llama/llama-4-scout-17b-16e-instruct | its id states only the 17B at work       |

      @together_ai
      Examples: Together AI
        | provider    | minimum | model                                   | without                                 | description                              |
        | Together AI | 100     | Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8 | meta-llama/Llama-3.3-70B-Instruct-Turbo | 480B in all counts, not the 35B at work  |

  Rule: Searching matches the text anywhere in a model's id, name or owner, ignoring case

    Scenario Outline: searching <provider>'s catalog for "<text>" finds <model>
      When the catalog of <provider> is read
      And the model list is searched for "<text>"
      Then every model left mentions "<text>"
      And the model list includes "<model>"
      And the model list leaves out "<without>"

      @groq
      Examples: Groq
        | provider | text    | model                | without              |
        | Groq     | gpt-oss | openai/gpt-oss-120b  | llama-3.1-8b-instant |
        | Groq     | META    | llama-3.1-8b-instant | openai/gpt-oss-20b   |

      @together_ai
      Examples: Together AI
        | provider    | text     | model                          | without                                 |
        | Together AI | qwen     | Qwen/Qwen2.5-7B-Instruct-Turbo | meta-llama/Llama-3.3-70B-Instruct-Turbo |
        | Together AI | DeepSeek | deepseek-ai/DeepSeek-R1        | openai/gpt-oss-20b                      |

  Rule: Criteria combine, so a job's needs can be stated together

    Scenario Outline: <provider>'s cheap chat models with structured output include <model>
      When the catalog of <provider> is read
      And the model list is narrowed to chat models
      And the model list is narrowed to models that support JSON schema
      And the model list is narrowed to models costing at most $<maximum> per million tokens
      Then every model left supports JSON schema
      And every model left costs at most $<maximum> per million tokens
      And the model list includes "<model>"

      @groq
      Examples: Groq
        | provider | maximum | model                                     |
        | Groq     | 0.40    | meta-llama/llama-4-scout-17b-16e-instruct |

      @together_ai
      Examples: Together AI
        | provider    | maximum | model                          |
        | Together AI | 0.30    | Qwen/Qwen2.5-7B-Instruct-Turbo |

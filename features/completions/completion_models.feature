@provider_validation @functional_validation
Feature: The same completion works across a provider's models, and one session can switch between them
  A session is one provider; a chat client is one model of it, cheap to create, so switching models is asking the
  session for another client — same key, same connections, same retries and timeouts. How in code: the guide's
  *Completions, parameters and structured output*.

  Only chat and code models answer chat completions: the catalog's kind says which (see
  [selecting a model](../catalog/model_selection.feature)). A chat completion with an embedding model is refused
  with `bad-request`; an id the provider does not serve gives `model-not-found`.

  Rule: One completion, with the same parameters, behaves alike on every chat and code model of a provider

    **Answered alike** means the same shape — text, a finish reason, token usage that adds up within the limit, the
    ids, the model named — not the same words: every model writes its own answer, and the same model writes a
    different one from call to call. Each model's request leaves the client with every parameter the completion was
    given, so no model is quietly asked something else. Reasoning models (`openai/gpt-oss-20b`, `qwen/qwen3-32b`)
    count their reasoning as output tokens, so the limit leaves them room to answer after thinking.

    @together_ai
    Scenario: the same completion is answered alike by Together AI's chat and code models
      Given a completion limited to 1000 tokens
      And a completion with these options:
        | option      | value |
        | temperature | 0.2   |
        | top_p       | 0.9   |
        | seed        | 42    |
        | top_k       | 40    |
      When the same completion is requested from each of these Together AI models:
        | model                                   | kind |
        | meta-llama/Llama-3.3-70B-Instruct-Turbo | chat |
        | Qwen/Qwen2.5-7B-Instruct-Turbo          | chat |
        | openai/gpt-oss-20b                      | chat |
        | Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8 | code |
      Then every answer is complete, with text, a finish reason and token usage
      And every request left the client with the options and the token limit as given

    @groq
    Scenario: the same completion is answered alike by Groq's chat models
      Given a completion limited to 1000 tokens
      And a completion with these options:
        | option       | value     |
        | temperature  | 0.2       |
        | top_p        | 0.9       |
        | seed         | 42        |
        | service_tier | on_demand |
      When the same completion is requested from each of these Groq models:
        | model                   | kind |
        | llama-3.1-8b-instant    | chat |
        | llama-3.3-70b-versatile | chat |
        | qwen/qwen3-32b          | chat |
      Then every answer is complete, with text, a finish reason and token usage
      And every request left the client with the options and the token limit as given

  Rule: One session switches models without being reopened

    Scenario Outline: a <provider> session switches from <first> to <second>
      When a completion is requested from <provider>'s "<first>"
      And a completion is then requested from "<second>" in the same session
      Then each answer comes from the model it was asked of

      @groq
      Examples: Groq
        | provider | first                | second                  |
        | Groq     | llama-3.1-8b-instant | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | first                                   | second                                  |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8 |

  Rule: A model that cannot chat, or does not exist, is refused with a clear error key

    Scenario Outline: <provider> refuses a completion from the unknown model "<model>"
      When a completion is requested from <provider>'s "<model>"
      Then the attempt fails with "model-not-found"

      @groq
      Examples: Groq
        | provider | model               |
        | Groq     | llama-9-imaginary   |

      @together_ai
      Examples: Together AI
        | provider    | model                        |
        | Together AI | meta-llama/Llama-9-Imaginary |

    @together_ai
    Scenario: Together AI refuses a chat completion from an embedding model
      When a completion is requested from Together AI's "BAAI/bge-large-en-v1.5"
      Then the attempt fails with "bad-request"

@provider_validation @functional_validation
Feature: Completion parameters reach the provider as given, and unsupported ones are refused before sending
  The common sampling parameters are the same for every provider; a provider's own ones are given by name and
  checked against the registry before anything is sent. How in code: the guide's *Completions, parameters and
  structured output*.

  | option                 | Groq                                        | Together AI          |
  |------------------------|---------------------------------------------|----------------------|
  | `temperature`, `top_p`, `seed`, `stop` | yes                         | yes                  |
  | `service_tier`         | `auto`, `on_demand`, `flex`, `performance`  | —                    |
  | `top_k`                | **no**                                      | 1 or more            |
  | `repetition_penalty`, `min_p` (0–1) | —                              | yes                  |
  | `n` (answers per call) | only 1                                      | 1 or more            |

  `unsupported-parameter` means the option is not one the provider accepts, or its value is out of range; the
  message lists the options the provider does accept. Nothing was sent, so nothing was billed.

  Rule: The provider accepts the common and its own parameters, on every model

    An answer alone cannot show that a parameter was used: a provider that ignored it would answer all the same. So
    each parameter is checked on the request as it left the client, on two models of each provider, and in the
    answer wherever the provider reports it back (a stop sequence never appears in the answer's text).

    Scenario Outline: <provider>'s <model> answers with <option> set to <value>
      Given a completion with the option "<option>" set to "<value>"
      When a completion is requested from <provider>'s "<model>"
      Then the answer is complete, with text, a finish reason and token usage
      And the request left the client with "<option>" set to "<value>"
      And the answer agrees with "<option>" set to "<value>" wherever it reports it

      @groq
      Examples: Groq
        | provider | model                   | option       | value     |
        | Groq     | llama-3.1-8b-instant    | temperature  | 0.2       |
        | Groq     | llama-3.1-8b-instant    | top_p        | 0.9       |
        | Groq     | llama-3.1-8b-instant    | seed         | 42        |
        | Groq     | llama-3.1-8b-instant    | stop         | END       |
        | Groq     | llama-3.1-8b-instant    | service_tier | on_demand |
        | Groq     | llama-3.3-70b-versatile | temperature  | 0.2       |
        | Groq     | llama-3.3-70b-versatile | top_p        | 0.9       |
        | Groq     | llama-3.3-70b-versatile | seed         | 42        |
        | Groq     | llama-3.3-70b-versatile | stop         | END       |
        | Groq     | llama-3.3-70b-versatile | service_tier | on_demand |

      @together_ai
      Examples: Together AI
        | provider    | model                                    | option             | value |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo  | temperature        | 0.2   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo  | top_p              | 0.9   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo  | seed               | 42    |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo  | top_k              | 40    |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo  | repetition_penalty | 1.1   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo  | min_p              | 0.05  |
        | Together AI | meta-llama/Meta-Llama-3-8B-Instruct-Lite | temperature        | 0.2   |
        | Together AI | meta-llama/Meta-Llama-3-8B-Instruct-Lite | top_p              | 0.9   |
        | Together AI | meta-llama/Meta-Llama-3-8B-Instruct-Lite | seed               | 42    |
        | Together AI | meta-llama/Meta-Llama-3-8B-Instruct-Lite | top_k              | 40    |
        | Together AI | meta-llama/Meta-Llama-3-8B-Instruct-Lite | repetition_penalty | 1.1   |
        | Together AI | meta-llama/Meta-Llama-3-8B-Instruct-Lite | min_p              | 0.05  |

  Rule: Parameters are sent to the provider unchanged

    What the provider received is read from the simulated provider's request log — the provider's side of the wire,
    which only a simulator shows — so this runs on the simulated target only.

    @simulator_only
    Scenario Outline: <option> set to <value> reaches <provider> unchanged
      Given a completion with the option "<option>" set to "<value>"
      When a completion is requested from <provider>'s "<model>"
      Then the completion reached <provider> with "<option>" set to "<value>"

      @groq
      Examples: Groq
        | provider | model                | option       | value     |
        | Groq     | llama-3.1-8b-instant | temperature  | 0.2       |
        | Groq     | llama-3.1-8b-instant | top_p        | 0.9       |
        | Groq     | llama-3.1-8b-instant | seed         | 42        |
        | Groq     | llama-3.1-8b-instant | stop         | END       |
        | Groq     | llama-3.1-8b-instant | service_tier | on_demand |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | option             | value |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | temperature        | 0.2   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | top_p              | 0.9   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | seed               | 42    |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | top_k              | 40    |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | min_p              | 0.05  |

  Rule: A parameter the provider does not support is refused before anything is sent

    That nothing reached the provider is read from the simulated provider's request log — the provider's side of the
    wire — so this runs on the simulated target only.

    @simulator_only
    Scenario Outline: <provider> refuses <option> set to <value> without sending it
      Given a completion with the option "<option>" set to "<value>"
      When a completion is requested from <provider>'s "<model>"
      Then the attempt fails with "unsupported-parameter"
      And no completion reached <provider>

      @groq
      Examples: Groq
        | provider | model                | option | value | description                    |
        | Groq     | llama-3.1-8b-instant | n      | 2     | Groq answers one choice a call |
        | Groq     | llama-3.1-8b-instant | top_k  | 40    | Groq has no top_k              |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | option                           | value | description             |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | min_p                            | 1.5   | min_p is between 0 and 1 |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | context_length_exceeded_behavior | drop  | truncate or error only  |

@provider_validation @functional_validation
Feature: A completion returns the answer with how it ended, what it cost and which request it was
  Every provider answers through the same call, and every answer has the same parts: its text, how it ended (the
  **finish reason**), what it cost in tokens, and the ids to quote to the provider's support. How to ask for one in
  code: the guide's *Getting started*.

  Together AI ends a natural answer with its own word for it (`eos`); the layer reports it as `stop` and keeps the
  provider's word beside it, so code can test one value for every provider.

  Rule: An answer carries its text, its finish reason, its token usage and the provider's request id

    Scenario Outline: <provider>'s <model> answers a short prompt in full
      When a completion is requested from <provider>'s "<model>"
      Then the answer has text
      And the answer finishes with "stop"
      And the answer reports its token usage
      And the answer identifies the provider's request

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: A token limit cuts the answer, and the finish reason says so

    An answer cut by its token limit finishes with `length`: treat its text as incomplete (raise the limit, or ask
    for a shorter answer). The usage never counts more output tokens than the limit.

    Scenario Outline: a completion limited to <limit> tokens at <provider> finishes with "length"
      Given a completion limited to <limit> tokens
      When a completion is requested from <provider>'s "<model>"
      Then the answer finishes with "length"
      And the answer used no more than <limit> output tokens

      @groq
      Examples: Groq
        | provider | model                | limit |
        | Groq     | llama-3.1-8b-instant | 5     |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | limit |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 5     |

  Rule: A stop sequence ends the answer just before it

    The stop sequence itself is not part of the answer, and the finish reason is `stop`. What a model writes before
    it differs from one call to the next (`seed` is best-effort at both providers), so the stop is checked, not the
    words.

    Scenario Outline: a completion that stops at "." ends <provider>'s answer before the first full stop
      Given a completion that stops at "."
      When a completion is requested from <provider>'s "<model>"
      Then the answer has text
      And the answer ends before "." without including it

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

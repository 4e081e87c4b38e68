@provider_validation @functional_validation
Feature: A prompt must fit the model's context window, and bad input is refused with a clear error key
  The context window bounds the prompt **plus** the answer's token limit. Check a long prompt against the window
  the catalog states before sending it; a refused one fails with `context-length-exceeded` — shorten the prompt,
  lower the token limit, or pick a model with a larger window.

  On Groq's free tier the per-minute token limit (6 000 tokens for `llama-3.1-8b-instant`) is far below the
  context window (131 072): a long prompt is refused with `request-too-large` first. Use a paid tier, or a
  model with a higher limit, for long prompts.

  | error key                 | what it means                                        | what to do                          |
  |---------------------------|------------------------------------------------------|-------------------------------------|
  | `context-length-exceeded` | prompt + token limit exceed the model's window       | shorten, lower the limit, or switch |
  | `request-too-large`       | the request is over a size or per-minute token limit | shorten, or raise the tier          |
  | `bad-request`             | the provider refused the request as invalid          | read the provider's message         |

  An answer that cannot be read fails with `malformed-response`, never as an empty success: that is shown, with
  every other fault, in [the fault matrix](../reliability/fault_matrix.feature).

  Rule: A prompt just inside the context window is answered; one over it is refused

    These scenarios send prompts of tens of thousands of tokens, up to a whole 131 072-token window: too costly
    for the live target (and over Groq's free-tier per-minute limit), so they run on the simulated target only. The
    window is the one the catalog states; the scenario also checks that the provider counted a prompt of that size.
    Groq's largest windows sit behind its per-minute token limit, so its row uses a model whose whole window fits
    under it.

    @simulator_only
    Scenario Outline: a prompt ending <margin> tokens short of <model>'s <window>-token window is answered by <provider>
      Given a completion limited to 8 tokens
      And a completion whose prompt ends <margin> tokens short of the context window
      When a completion is requested from <provider>'s "<model>"
      Then the answer has text
      And the answer reports its token usage
      And the prompt, as the provider counted it, fills the <window>-token window but for the answer's limit and <margin> tokens

      @groq
      Examples: Groq
        | provider | model                               | window | margin | description                                |
        | Groq     | meta-llama/llama-prompt-guard-2-86m | 512    | 16     | a 512-token window, under the per-minute limit |

      @together_ai
      Examples: Together AI
        | provider    | model                                    | window | margin | description            |
        | Together AI | meta-llama/Meta-Llama-3-8B-Instruct-Lite | 8192   | 16     | an 8 192-token window   |
        | Together AI | Qwen/Qwen2.5-7B-Instruct-Turbo           | 32768  | 16     | a 32 768-token window   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo  | 131072 | 16     | a 131 072-token window  |

    @simulator_only
    Scenario Outline: a prompt <excess> tokens over <model>'s window is refused by <provider>
      Given a completion whose prompt exceeds the context window by <excess> tokens
      When a completion is requested from <provider>'s "<model>"
      Then the attempt fails with "context-length-exceeded"

      @groq
      Examples: Groq
        | provider | model                | excess |
        | Groq     | llama-3.1-8b-instant | 100    |

      @together_ai
      Examples: Together AI
        | provider    | model                                    | excess |
        | Together AI | meta-llama/Meta-Llama-3-8B-Instruct-Lite | 100    |

    @simulator_only @groq
    Scenario: a prompt over Groq's per-minute token limit is refused as too large
      Given a completion whose prompt holds 7000 tokens
      When a completion is requested from Groq's "llama-3.1-8b-instant"
      Then the attempt fails with "request-too-large"

  Rule: An empty prompt is refused before anything is sent

    An empty prompt is a caller's mistake: it should fail at once with `bad-request`, not cost a call.

    Scenario Outline: <provider> refuses a completion of an empty prompt
      When a completion of an empty prompt is requested from <provider>'s "<model>"
      Then the attempt fails with "bad-request"

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

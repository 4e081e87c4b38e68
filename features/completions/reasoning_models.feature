@provider_validation @functional_validation
Feature: Reasoning models think before they answer, and the thinking is shown apart, in the text, or not at all
  A reasoning model writes a chain of thought before its answer. The thinking is output: it counts in the answer's
  output tokens and in its token limit, it is billed, and it takes its time before the answer's first word. Where it
  arrives depends on the model and on the request:

  | model                                      | provider    | by default, the thinking is…       | the request can…                                                                 |
  |--------------------------------------------|-------------|------------------------------------|----------------------------------------------------------------------------------|
  | `openai/gpt-oss-20b`, `openai/gpt-oss-120b` | Groq        | apart from the text (`reasoning`)  | hide it (`include_reasoning` false); set `reasoning_effort` `low`, `medium`, `high` |
  | `qwen/qwen3-32b`                            | Groq        | in the text, between `<think>` tags | move it apart (`reasoning_format` `parsed`) or hide it (`hidden`); switch it off (`reasoning_effort` `none`) |
  | `openai/gpt-oss-20b`, `openai/gpt-oss-120b` | Together AI | apart from the text (`reasoning`)  | set `reasoning_effort` `low`, `medium`, `high`                                    |
  | `Qwen/Qwen3.5-9B` (hybrid)                  | Together AI | apart from the text (`reasoning`)  | switch it off (`reasoning` `{"enabled": false}`)                                 |
  | `deepseek-ai/DeepSeek-R1`                   | Together AI | in the text, between `<think>` tags | nothing                                                                          |

  Thinking sent apart is the reply's `TextReasoningContent` (Microsoft.Extensions.AI), joined in `ChatResult.Reasoning`
  and counted by `bench` as generated text; thinking in the text is part of `ChatResult.Text`, tags and all. How in
  code: the guide's *Completions, parameters and structured output*.

  Live, what a model thinks and for how long differs from one call to the next, so these scenarios check where the
  thinking went and how the answer ended, never its words or its length.

  Rule: Thinking sent apart never mixes with the answer

    The limit of 1,000 tokens leaves room for the answer after the thinking; a smaller one may be spent on thinking
    alone (see the last rule).

    Scenario Outline: <provider>'s <model> sends its thinking apart from its answer
      Given a completion limited to 1000 tokens
      When a completion is requested from <provider>'s "<model>"
      Then the answer has text
      And the answer's thinking is "apart from its text"

      @groq
      Examples: Groq
        | provider | model              |
        | Groq     | openai/gpt-oss-20b |

      @together_ai
      Examples: Together AI
        | provider    | model              |
        | Together AI | openai/gpt-oss-20b |

    Scenario Outline: <provider>'s <model> streams its thinking before its answer
      Given a completion limited to 1000 tokens
      When a completion is streamed from <provider>'s "<model>"
      Then the stream delivers the thinking before the answer
      And the stream reports its token usage at the end

      @groq
      Examples: Groq
        | provider | model              |
        | Groq     | openai/gpt-oss-20b |

      @together_ai
      Examples: Together AI
        | provider    | model              |
        | Together AI | openai/gpt-oss-20b |

  Rule: The request decides where the thinking goes, or whether there is any

    Scenario Outline: Groq's <model> with <option> set to <value> has its thinking <place>
      Given a completion limited to 1000 tokens
      And a completion with the option "<option>" set to "<value>"
      When a completion is requested from Groq's "<model>"
      Then the answer has text
      And the answer's thinking is "<place>"
      And the request left the client with "<option>" set to "<value>"

      @groq
      Examples: Groq
        | model              | option            | value   | place                           |
        | openai/gpt-oss-20b | include_reasoning | false   | nowhere                         |
        | openai/gpt-oss-20b | reasoning_effort  | low     | apart from its text             |
        | openai/gpt-oss-20b | reasoning_effort  | high    | apart from its text             |
        | qwen/qwen3-32b     | reasoning_format  | raw     | in its text, between think tags |
        | qwen/qwen3-32b     | reasoning_format  | parsed  | apart from its text             |
        | qwen/qwen3-32b     | reasoning_format  | hidden  | nowhere                         |

    Scenario Outline: Together AI's <model> with reasoning_effort set to <value> has its thinking apart from its text
      Given a completion limited to 1000 tokens
      And a completion with the option "reasoning_effort" set to "<value>"
      When a completion is requested from Together AI's "<model>"
      Then the answer has text
      And the answer's thinking is "apart from its text"
      And the request left the client with "reasoning_effort" set to "<value>"

      @together_ai
      Examples: Together AI
        | model              | value |
        | openai/gpt-oss-20b | low   |
        | openai/gpt-oss-20b | high  |

    Scenario Outline: Together AI's <model> with reasoning set to <value> has its thinking <place>
      Given a completion limited to 1000 tokens
      And a completion with the option "reasoning" set to '<value>'
      When a completion is requested from Together AI's "<model>"
      Then the answer has text
      And the answer's thinking is "<place>"
      And the request left the client with "reasoning" set to '<value>'

      @together_ai
      Examples: Together AI, a hybrid model
        | model           | value              | place               |
        | Qwen/Qwen3.5-9B | {"enabled": true}  | apart from its text |
        | Qwen/Qwen3.5-9B | {"enabled": false} | nowhere             |

    @groq
    Scenario: Groq's qwen3-32b writes its thinking in the text unless asked otherwise
      Given a completion limited to 1000 tokens
      When a completion is requested from Groq's "qwen/qwen3-32b"
      Then the answer has text
      And the answer's thinking is "in its text, between think tags"

  Rule: Thinking counts in the token limit, so a small limit can be spent before the answer begins

    A limit sized for an answer is not enough for a reasoning model: its thinking comes first and uses the same
    tokens. Sixteen tokens are fewer than GPT-OSS thinks on any question, so the answer ends at the limit with its
    thinking cut short.

    Scenario Outline: <provider>'s <model> limited to 16 tokens spends them thinking and finishes with "length"
      Given a completion limited to 16 tokens
      When a completion is requested from <provider>'s "<model>"
      Then the answer finishes with "length"
      And the answer used no more than 16 output tokens
      And the answer's thinking is "apart from its text"

      @groq
      Examples: Groq
        | provider | model              |
        | Groq     | openai/gpt-oss-20b |

      @together_ai
      Examples: Together AI
        | provider    | model              |
        | Together AI | openai/gpt-oss-20b |

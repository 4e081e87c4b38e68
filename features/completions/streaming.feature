@provider_validation @functional_validation
Feature: A streamed completion arrives in order and ends as a complete answer
  Stream when a user waits for the text: the chunks arrive as the model writes them, and at the end the stream
  is the same kind of answer as one not streamed — finish reason, token usage, ids, and the time to the first token.
  How in code: the guide's *Getting started*.

  The layer asks the provider to report usage at the end of every stream, so a stream reports its token counts like
  any answer. A stream that breaks off is never a shorter success: it fails with `stream-interrupted` (see the
  [fault matrix](../reliability/fault_matrix.feature)).

  Rule: The chunks arrive in order and together make up the answer

    Scenario Outline: <provider>'s <model> streams its answer in order
      When a completion is streamed from <provider>'s "<model>"
      Then the stream delivers the answer in at least 2 chunks, in order
      And the stream finishes with "stop"
      And the stream reports its token usage at the end

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: A streamed answer has the shape of the same answer not streamed

    Text, a finish reason, the same ids and token usage: code reading a `ChatResult` need not care how it was
    delivered. The words themselves differ from one call to the next, streamed or not, so they are not compared.

    Scenario Outline: <provider>'s streamed answer has the shape of its answer not streamed
      When a completion is streamed from <provider>'s "<model>"
      Then the stream's answer has the shape of an answer that is not streamed

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

    Scenario Outline: a streamed JSON answer from <provider> has the shape of one not streamed
      Given a completion in JSON mode
      When a completion is streamed from <provider>'s "<model>"
      Then the stream's answer has the shape of an answer that is not streamed

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: A token limit cuts a stream too

    Scenario Outline: a stream limited to <limit> tokens at <provider> finishes with "length"
      Given a completion limited to <limit> tokens
      When a completion is streamed from <provider>'s "<model>"
      Then the stream finishes with "length"
      And the stream reports its token usage at the end

      @groq
      Examples: Groq
        | provider | model                | limit |
        | Groq     | llama-3.1-8b-instant | 6     |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | limit |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 6     |

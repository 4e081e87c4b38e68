@provider_validation @reliability_validation @simulator_only
Feature: Every fault a provider can throw at a call ends in its error key
  Providers fail in many ways: they refuse with a rate limit, fall over, answer late, cut a stream off, or send
  something that is not JSON. Whatever happens, the provider layer ends the call with one stable **error key**,
  within the timeouts it was given, and never passes a broken answer off as a good one. This feature is the
  **fault matrix**: every fault the simulated providers can inject, at Groq and at Together AI, on streamed and
  non-streamed calls, each row shown in the usage guide's fault matrix table. The glossary's *fault* table names
  each fault as the simulators do.

  Retries are off here, so the key of the first failure shows; [retries and timeouts](retries_and_timeouts.feature)
  shows what the layer does when they are on.

  | error key            | what it means                                                          | what to do                                                 |
  |----------------------|------------------------------------------------------------------------|------------------------------------------------------------|
  | `rate-limited`       | the provider refused the request for now                               | wait as long as the provider asks; retries do this          |
  | `overloaded`         | the provider has no capacity right now (Groq: also its flex tier full) | retry later, or fall back to another provider               |
  | `server-error`       | the provider or its gateway failed                                     | retry; report it to the provider if it persists             |
  | `timeout`            | no first token within the first-token timeout, or the call outran the whole-call timeout | raise the timeout, or use a faster model |
  | `connection-failed`  | the connection broke before an answer began                            | retry; check the network                                    |
  | `malformed-response` | the provider answered something that is not the expected JSON          | retry; do not trust any part of that answer                 |
  | `stream-interrupted` | a stream ended before the provider finished it                         | retry the whole request; the partial text is not an answer  |
  | `tool-call-failed`   | Groq: the model's function call did not parse or follow the tool's parameters | send the same request again (it often succeeds), or simplify the tool |

  Timing faults hold the answer back longer than any timeout configured here (a slow first token: 3 s; a stalled
  stream: 5 s), so the timeout decides. The scenarios need fault injection, so they run on the simulated target
  only.

  Background:
    Given retries are off
    And the timeout for the first token is 1000 ms
    And the timeout for the whole call is 2000 ms

  Rule: every fault of a chat call is reported by its error key, within the configured timeout

    Scenario Outline: <fault> on a <mode> call to <provider> is reported as "<error key>"
      Given <provider> suffers <fault>
      When the faulty provider is asked for a <mode> answer
      Then the attempt fails with "<error key>"
      And the provider fails within the configured timeout

      @groq
      Examples: Groq
        | provider | fault                    | mode          | error key          |
        | Groq     | a burst of rate limits   | non-streaming | rate-limited       |
        | Groq     | a burst of rate limits   | streaming     | rate-limited       |
        | Groq     | a lack of capacity       | non-streaming | overloaded         |
        | Groq     | a lack of capacity       | streaming     | overloaded         |
        | Groq     | a full flex tier         | non-streaming | overloaded         |
        | Groq     | a full flex tier         | streaming     | overloaded         |
        | Groq     | an internal error        | non-streaming | server-error       |
        | Groq     | an internal error        | streaming     | server-error       |
        | Groq     | a failing gateway        | non-streaming | server-error       |
        | Groq     | a failing gateway        | streaming     | server-error       |
        | Groq     | a reset connection       | non-streaming | connection-failed  |
        | Groq     | a reset connection       | streaming     | connection-failed  |
        | Groq     | an empty answer          | non-streaming | malformed-response |
        | Groq     | an empty answer          | streaming     | stream-interrupted |
        | Groq     | a cut-off JSON answer    | non-streaming | malformed-response |
        | Groq     | a chunk that is not JSON | streaming     | malformed-response |
        | Groq     | a function call the model got wrong | non-streaming | tool-call-failed |
        | Groq     | a function call the model got wrong | streaming     | tool-call-failed |

      @together_ai
      Examples: Together AI
        | provider    | fault                    | mode          | error key          |
        | Together AI | a burst of rate limits   | non-streaming | rate-limited       |
        | Together AI | a burst of rate limits   | streaming     | rate-limited       |
        | Together AI | a lack of capacity       | non-streaming | overloaded         |
        | Together AI | a lack of capacity       | streaming     | overloaded         |
        | Together AI | an internal error        | non-streaming | server-error       |
        | Together AI | an internal error        | streaming     | server-error       |
        | Together AI | a failing gateway        | non-streaming | server-error       |
        | Together AI | a failing gateway        | streaming     | server-error       |
        | Together AI | a reset connection       | non-streaming | connection-failed  |
        | Together AI | a reset connection       | streaming     | connection-failed  |
        | Together AI | an empty answer          | non-streaming | malformed-response |
        | Together AI | an empty answer          | streaming     | stream-interrupted |
        | Together AI | a cut-off JSON answer    | non-streaming | malformed-response |
        | Together AI | a chunk that is not JSON | streaming     | malformed-response |

      @groq
      Examples: Groq, a cut-off JSON answer where a stream was asked for
        | provider | fault                 | mode      | error key          |
        | Groq     | a cut-off JSON answer | streaming | malformed-response |

      @together_ai
      Examples: Together AI, a cut-off JSON answer where a stream was asked for
        | provider    | fault                 | mode      | error key          |
        | Together AI | a cut-off JSON answer | streaming | malformed-response |

  Rule: a fault that holds the answer back ends at the timeout that bounds it, not sooner and not much later

    The first-token timeout bounds each attempt until the first streamed chunk, or the whole answer that is not
    streamed; once a stream has begun, only the whole-call timeout is left to end it. A timed-out call fails with
    `timeout` no sooner than its bound, and soon after it.

    Scenario Outline: <fault> on a <mode> call to <provider> is cut at the <timeout> timeout
      Given <provider> suffers <fault>
      When the faulty provider is asked for a <mode> answer
      Then the attempt fails with "<error key>"
      And the provider fails between the <timeout> timeout and 1500 ms after it

      @groq
      Examples: Groq
        | provider | fault               | mode          | error key | timeout     |
        | Groq     | a slow first token  | non-streaming | timeout   | first-token |
        | Groq     | a slow first token  | streaming     | timeout   | first-token |
        | Groq     | a stalled stream    | streaming     | timeout   | whole-call  |

      @together_ai
      Examples: Together AI
        | provider    | fault               | mode          | error key | timeout     |
        | Together AI | a slow first token  | non-streaming | timeout   | first-token |
        | Together AI | a slow first token  | streaming     | timeout   | first-token |
        | Together AI | a stalled stream    | streaming     | timeout   | whole-call  |

  Rule: a stream cut short is reported as interrupted, never as a shorter answer

    The chunks that arrived before the break are not an answer: retry the whole request.

    Scenario Outline: <fault> on a <mode> call to <provider> is reported as "<error key>", not as an answer
      Given <provider> suffers <fault>
      When the faulty provider is asked for a <mode> answer
      Then the attempt fails with "<error key>"
      And the chunks received before the fault are not reported as an answer

      @groq
      Examples: Groq
        | provider | fault              | mode      | error key          |
        | Groq     | a stream cut short | streaming | stream-interrupted |

      @together_ai
      Examples: Together AI
        | provider    | fault              | mode      | error key          |
        | Together AI | a stream cut short | streaming | stream-interrupted |

  Rule: a model list that cannot be fetched is answered from the bundled snapshot, with the reason

    A failing model list does not stop anyone choosing a model: the catalog falls back to the **metadata snapshot**
    bundled with the layer and says why, leading with the error key. Show that reason to the user: the list may be
    out of date. The live list is tried again after a short while (30 s by default).

    Scenario Outline: <fault> at <provider> is answered from the snapshot
      Given <provider> suffers <fault>
      When the faulty provider is asked for its model catalog
      Then the catalog falls back to the bundled snapshot and says it did because of "<error key>"
      And the snapshot still shows "<model>" as a chat model with a context window of <context> tokens

      @groq
      Examples: Groq
        | provider | fault                      | mode    | error key  | model                | context |
        | Groq     | an unavailable model list  | catalog | overloaded | llama-3.1-8b-instant | 131072  |

      @together_ai
      Examples: Together AI
        | provider    | fault                     | mode    | error key  | model                                   | context |
        | Together AI | an unavailable model list | catalog | overloaded | meta-llama/Llama-3.3-70B-Instruct-Turbo | 131072  |

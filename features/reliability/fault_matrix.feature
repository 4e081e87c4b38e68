@provider_validation @reliability_validation @simulator_only
Feature: Every fault a provider can throw at a call ends in its error key
  Providers fail in many ways: they refuse with a rate limit, fall over, answer late, cut a stream off, or send
  something that is not JSON. Whatever happens, the provider layer ends the call with one stable **error key**
  (`ProviderException.ErrorKey`), within the timeouts it was given, and never passes a broken answer off as a
  good one. This feature is the **fault matrix**: every fault the simulated providers can inject, at Groq and at
  Together AI, on streamed and non-streamed calls. Each row is written to `reports/fault-matrix.json` and shown as
  a table in the living documentation.

  Retries are off here, so the key of the first failure shows; [retries and timeouts](retries_and_timeouts.feature)
  shows what the layer does when they are on.

  | error key            | what it means                                                        | what to do                                                 |
  |----------------------|----------------------------------------------------------------------|------------------------------------------------------------|
  | `rate-limited`       | the provider refused the request for now (HTTP 429)                   | wait for `RateLimit.SuggestedDelay`; retries do this        |
  | `overloaded`         | the provider has no capacity right now (503; Groq's flex tier: 498)   | retry later, or fall back to another provider               |
  | `server-error`       | the provider or its edge proxy failed (500, 502)                      | retry; report it to the provider if it persists             |
  | `timeout`            | no first token within `FirstTokenTimeout`, or the call outran `TotalTimeout` | raise the timeout, or use a faster model               |
  | `connection-failed`  | the connection broke before an answer began                           | retry; check the network                                    |
  | `malformed-response` | the provider answered something that is not the expected JSON         | retry; do not trust any part of that answer                 |
  | `stream-interrupted` | a stream ended before the provider finished it                        | retry the whole request; the partial text is not an answer  |

  Timing faults are injected with waits longer than any timeout configured here (slow first token: 3 s; a stalled
  stream: 5 s), so the timeout decides. Scenarios need fault injection, so they run on the simulated target only.

  Background:
    Given retries are off
    And the timeout for the first token is 1000 ms
    And the timeout for the whole call is 2000 ms

  Rule: every fault of a chat call is reported by its error key, within the configured timeout

    Scenario Outline: <fault> on a <mode> call to <provider> is reported as "<error key>"
      Given a fault "<fault>" at <provider>
      When the faulty provider is asked for a <mode> answer
      Then the attempt fails with "<error key>"
      And the provider fails within the configured timeout

      @groq
      Examples: Groq
        | provider | fault               | mode          | error key          |
        | Groq     | rate-limit-sequence | non-streaming | rate-limited       |
        | Groq     | rate-limit-sequence | streaming     | rate-limited       |
        | Groq     | overloaded          | non-streaming | overloaded         |
        | Groq     | overloaded          | streaming     | overloaded         |
        | Groq     | capacity-exceeded   | non-streaming | overloaded         |
        | Groq     | capacity-exceeded   | streaming     | overloaded         |
        | Groq     | server-error        | non-streaming | server-error       |
        | Groq     | server-error        | streaming     | server-error       |
        | Groq     | bad-gateway         | non-streaming | server-error       |
        | Groq     | bad-gateway         | streaming     | server-error       |
        | Groq     | slow-first-token    | non-streaming | timeout            |
        | Groq     | slow-first-token    | streaming     | timeout            |
        | Groq     | connection-reset    | non-streaming | connection-failed  |
        | Groq     | connection-reset    | streaming     | connection-failed  |
        | Groq     | empty-body          | non-streaming | malformed-response |
        | Groq     | empty-body          | streaming     | stream-interrupted |
        | Groq     | malformed-json      | non-streaming | malformed-response |
        | Groq     | truncated-stream    | streaming     | stream-interrupted |
        | Groq     | garbage-chunk       | streaming     | malformed-response |
        | Groq     | stalled-stream      | streaming     | timeout            |

      @together_ai
      Examples: Together AI
        | provider    | fault               | mode          | error key          |
        | Together AI | rate-limit-sequence | non-streaming | rate-limited       |
        | Together AI | rate-limit-sequence | streaming     | rate-limited       |
        | Together AI | overloaded          | non-streaming | overloaded         |
        | Together AI | overloaded          | streaming     | overloaded         |
        | Together AI | server-error        | non-streaming | server-error       |
        | Together AI | server-error        | streaming     | server-error       |
        | Together AI | bad-gateway         | non-streaming | server-error       |
        | Together AI | bad-gateway         | streaming     | server-error       |
        | Together AI | slow-first-token    | non-streaming | timeout            |
        | Together AI | slow-first-token    | streaming     | timeout            |
        | Together AI | connection-reset    | non-streaming | connection-failed  |
        | Together AI | connection-reset    | streaming     | connection-failed  |
        | Together AI | empty-body          | non-streaming | malformed-response |
        | Together AI | empty-body          | streaming     | stream-interrupted |
        | Together AI | malformed-json      | non-streaming | malformed-response |
        | Together AI | truncated-stream    | streaming     | stream-interrupted |
        | Together AI | garbage-chunk       | streaming     | malformed-response |
        | Together AI | stalled-stream      | streaming     | timeout            |

      @groq
      Examples: Groq, a cut-off JSON body where an event stream was asked for
        | provider | fault          | mode      | error key          |
        | Groq     | malformed-json | streaming | malformed-response |

      @together_ai
      Examples: Together AI, a cut-off JSON body where an event stream was asked for
        | provider    | fault          | mode      | error key          |
        | Together AI | malformed-json | streaming | malformed-response |

  Rule: a catalog that cannot be fetched is answered from the bundled snapshot, with the reason
    `GET /models` failing does not stop anyone choosing a model: the catalog falls back to the snapshot bundled with
    the layer (`fixtures/metadata/models-snapshot.json`) and says why in `CatalogListing.FallbackReason`, which
    starts with the error key.

    Scenario Outline: catalog-unavailable at <provider> is answered from the snapshot
      Given a fault "<fault>" at <provider>
      When the faulty provider is asked for its model catalog
      Then the provider fails over to the bundled catalog snapshot, reporting "<error key>"

      @groq
      Examples: Groq
        | provider | fault               | mode    | error key  |
        | Groq     | catalog-unavailable | catalog | overloaded |

      @together_ai
      Examples: Together AI
        | provider    | fault               | mode    | error key  |
        | Together AI | catalog-unavailable | catalog | overloaded |

@provider_validation @integration_validation
Feature: Concurrent requests stay within each provider's concurrency limit
  A provider session limits how many of its calls are in flight at once (32 by default); further calls wait in a
  queue instead of tripping the provider's own limits. A call holds its place from sending its request to reading
  the last chunk of its answer, and not while it waits out a provider's request to retry later, so a waiting call
  never blocks the others. How to set the limit: the guide's *Retries, timeouts, fallback and concurrency*.

  The suite counts the requests in flight on the client's side: from when a request leaves until its answer has
  been read to the end. On the simulated target each answer takes about 150 ms, so the requests overlap.

  Rule: no more requests are in flight at a provider than its limit allows

    Scenario Outline: <requests> concurrent <mode> requests to <provider> are held to <limit> in flight
      Given concurrent requests to <provider> are limited to <limit> in flight
      When <requests> concurrent <mode> requests are sent to <provider>
      Then all <requests> concurrent requests are answered
      And at the busiest moment <limit> concurrent requests were in flight, never more

      @groq
      Examples: Groq
        | provider | requests | mode          | limit |
        | Groq     | 8        | non-streaming | 2     |
        | Groq     | 8        | streaming     | 2     |
        | Groq     | 8        | streaming     | 4     |

      @together_ai
      Examples: Together AI
        | provider    | requests | mode          | limit |
        | Together AI | 8        | non-streaming | 2     |
        | Together AI | 8        | streaming     | 2     |
        | Together AI | 8        | streaming     | 4     |

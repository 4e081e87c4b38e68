@provider_validation @reliability_validation @simulator_only
Feature: Retries recover from passing trouble, timeouts end what would not, and nothing hangs
  The provider layer retries a failure worth retrying (`rate-limited`, `overloaded`, `server-error`,
  `connection-failed`, `timeout`) with exponential backoff, honours the wait a provider asks for, and gives up
  when its budget is spent. Every call is bounded by two timeouts — one until the first token, one for the whole
  call — and a stream that breaks off is reported as broken, never as a shorter answer. How to configure them per
  session: the guide's *Retries, timeouts, fallback and concurrency*.

  Scenarios here inject faults, so they run on the simulated target only. The suite keeps them fast with short
  waits (a retry-after of 0.2 s, timeouts of a few hundred milliseconds); where a scenario names no timeout it runs
  with a first-token timeout of 2 s and a whole-call timeout of 5 s, and with retries off unless it allows them.
  Every fault once, with the timeout that ends it, is in [the fault matrix](fault_matrix.feature); this feature
  adds what retries do, and the cases the matrix does not hold.

  Rule: a rate limit is waited out as the provider asks, and the answer then arrives
    A `429` carries `retry-after` (and the provider's reset headers). The layer waits at least that long before the
    next attempt — it does not use its own, shorter backoff — and the attempts are listed in `ChatResult.Attempts`.

    Scenario Outline: <provider> rate-limits <count> <mode> requests, and retries recover the answer
      Given a rate limit at <provider> for the next <count> requests, asking to retry after 0.2 s
      And retries are allowed up to 3 times, 20 ms apart
      When the faulty provider is asked for a <mode> answer
      Then retries recover the answer after <attempts> attempts
      And retries waited at least the Retry-After the provider asked for

      @groq
      Examples: Groq
        | provider | count | mode          | attempts |
        | Groq     | 2     | non-streaming | 3        |
        | Groq     | 1     | streaming     | 2        |

      @together_ai
      Examples: Together AI
        | provider    | count | mode          | attempts |
        | Together AI | 2     | non-streaming | 3        |
        | Together AI | 1     | streaming     | 2        |

    Scenario Outline: a Retry-After longer than the cap fails at once at <provider>
      A provider asking for a longer wait than `MaxRetryAfter` allows fails at once with `rate-limited`, and the
      message says how to wait longer; the layer does not sleep on the caller's behalf.

      Given a rate limit at <provider> for the next 1 requests, asking to retry after 5 s
      And retries are allowed up to 3 times, 20 ms apart
      And retries wait at most 1 s for a Retry-After
      When the faulty provider is asked for a non-streaming answer
      Then the attempt fails with "rate-limited"
      And the provider received 1 chat request

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

  Rule: retries never exceed their budget
    However long the provider keeps failing, a call allowed n retries makes at most n + 1 attempts — counted by the
    layer and by the provider itself.

    Scenario Outline: <provider> keeps suffering <fault>, and <retries> retries are spent, no more
      Given <provider> suffers <fault>
      And retries are allowed up to <retries> times, 20 ms apart
      When the faulty provider is asked for a non-streaming answer
      Then the attempt fails with "<error key>"
      And retries stayed within their budget
      And the provider received <attempts> chat requests

      @groq
      Examples: Groq
        | provider | fault              | retries | attempts | error key    |
        | Groq     | a lack of capacity | 2       | 3        | overloaded   |
        | Groq     | an internal error  | 1       | 2        | server-error |

      @together_ai
      Examples: Together AI
        | provider    | fault              | retries | attempts | error key    |
        | Together AI | a lack of capacity | 2       | 3        | overloaded   |
        | Together AI | an internal error  | 1       | 2        | server-error |

  Rule: a stream that stalls before its first chunk is cut at the first-token timeout
    A stream that opens and then sends nothing is as good as an answer that never starts: the first-token timeout
    ends it, no sooner than its bound and soon after it.

    Scenario Outline: a stream from <provider> that stalls before its first chunk is cut at the first-token timeout
      Given <provider> suffers a stalled stream after 0 chunks
      And retries are off
      And the timeout for the first token is 300 ms
      When the faulty provider is asked for a streaming answer
      Then the attempt fails with "timeout"
      And the provider fails between the first-token timeout and 1500 ms after it

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

  Rule: a connection that breaks mid-stream is reported as an interrupted stream, never as a shorter answer
    A connection reset before the answer begins is `connection-failed` (see the fault matrix); once chunks have
    arrived, the same break is `stream-interrupted`, and the chunks that arrived are not an answer. Retry the whole
    request.

    Scenario Outline: a stream from <provider> broken off by a reset connection is reported as "stream-interrupted"
      Given <provider> suffers a reset connection after 2 chunks
      And retries are off
      When the faulty provider is asked for a streaming answer
      Then the attempt fails with "stream-interrupted"
      And the chunks received before the fault are not reported as an answer

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

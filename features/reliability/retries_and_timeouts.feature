@provider_validation @reliability_validation @simulator_only
Feature: Retries recover from passing trouble, timeouts end what would not, and nothing hangs
  The provider layer retries a failure worth retrying (`rate-limited`, `overloaded`, `server-error`,
  `connection-failed`, `timeout`) with exponential backoff, honours the wait a provider asks for, and gives up
  when its budget is spent. Every call is bounded by two timeouts, and a stream that breaks off is reported as
  broken — never as a shorter answer.

  Configure it per session:

  ```csharp
  await using var session = ProviderSession.Open("groq", new ProviderSessionOptions
  {
      Resilience = new ResilienceOptions
      {
          MaxRetries = 2,                                   // retries after the first attempt; 0 = off
          BaseDelay = TimeSpan.FromMilliseconds(500),       // backoff: 0.5 s, 1 s, 2 s … (jittered)
          MaxRetryAfter = TimeSpan.FromSeconds(30),         // a longer Retry-After fails at once instead
          FirstTokenTimeout = TimeSpan.FromSeconds(60),     // per attempt: until the first chunk / the whole reply
          TotalTimeout = TimeSpan.FromMinutes(3),           // the whole call, retries and the full stream included
      },
  });
  ```

  Scenarios here inject faults, so they run on the simulated target only. The suite keeps them fast with short
  waits (a Retry-After of 0.2 s, timeouts of a few hundred milliseconds); where a scenario names no timeout it runs
  with a first-token timeout of 2 s and a whole-call timeout of 5 s, and with retries off unless it allows them.

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
    With `MaxRetries = n` a call makes at most `n + 1` attempts, however long the provider keeps failing — counted by
    the layer and by the provider itself.

    Scenario Outline: <provider> keeps failing with "<fault>", and <retries> retries are spent, no more
      Given a fault "<fault>" at <provider>
      And retries are allowed up to <retries> times, 20 ms apart
      When the faulty provider is asked for a non-streaming answer
      Then the attempt fails with "<error key>"
      And retries stayed within their budget
      And the provider received <attempts> chat requests

      @groq
      Examples: Groq
        | provider | fault        | retries | attempts | error key    |
        | Groq     | overloaded   | 2       | 3        | overloaded   |
        | Groq     | server-error | 1       | 2        | server-error |

      @together_ai
      Examples: Together AI
        | provider    | fault        | retries | attempts | error key    |
        | Together AI | overloaded   | 2       | 3        | overloaded   |
        | Together AI | server-error | 1       | 2        | server-error |

  Rule: timeouts fire at the configured bound
    `FirstTokenTimeout` bounds each attempt until the first streamed chunk (or the whole non-streamed reply);
    `TotalTimeout` bounds the whole call. A timed-out call fails with `timeout` — no sooner than its bound, and
    soon after it.

    Scenario Outline: a <mode> answer from <provider> that is slow to start is cut at the first-token timeout
      Given a fault "slow-first-token" at <provider>
      And retries are off
      And the timeout for the first token is 300 ms
      When the faulty provider is asked for a <mode> answer
      Then the attempt fails with "timeout"
      And the provider fails between the first-token timeout and 1500 ms after it

      @groq
      Examples: Groq
        | provider | mode          |
        | Groq     | non-streaming |
        | Groq     | streaming     |

      @together_ai
      Examples: Together AI
        | provider    | mode          |
        | Together AI | non-streaming |
        | Together AI | streaming     |

    Scenario Outline: a stream from <provider> that stalls before its first chunk is cut at the first-token timeout
      Given a fault "stalled-stream" at <provider> after 0 chunks
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

    Scenario Outline: a stream from <provider> that stalls mid-way is cut at the whole-call timeout
      Once the first chunk has arrived only `TotalTimeout` is left to end a stalled stream: set it for the
      longest answer you expect.

      Given a fault "stalled-stream" at <provider> after 2 chunks
      And retries are off
      And the timeout for the whole call is 800 ms
      When the faulty provider is asked for a streaming answer
      Then the attempt fails with "timeout"
      And the provider fails between the whole-call timeout and 1500 ms after it

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

  Rule: an interrupted stream is reported as interrupted, never as a shorter answer
    The chunks that arrived before the break are not an answer: the stream fails with `stream-interrupted`, and
    `ChatStream.Result` is never set. Retry the whole request.

    Scenario Outline: a stream from <provider> broken off by "<fault>" is reported as "stream-interrupted"
      Given a fault "<fault>" at <provider> after 2 chunks
      And retries are off
      When the faulty provider is asked for a streaming answer
      Then the attempt fails with "stream-interrupted"
      And the chunks received before the fault are not reported as an answer

      @groq
      Examples: Groq
        | provider | fault            |
        | Groq     | truncated-stream |

      @together_ai
      Examples: Together AI
        | provider    | fault            |
        | Together AI | truncated-stream |

      @groq
      Examples: Groq, connection reset mid-stream
        | provider | fault            |
        | Groq     | connection-reset |

      @together_ai
      Examples: Together AI, connection reset mid-stream
        | provider    | fault            |
        | Together AI | connection-reset |

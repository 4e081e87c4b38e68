@provider_validation @integration_validation
Feature: A fallback chain answers from Together AI when Groq cannot
  A **fallback chain** tries providers in order — Groq first for its speed, Together AI when Groq cannot answer —
  and reports who answered and why the ones before did not. How to build one: the guide's *Retries, timeouts,
  fallback and concurrency*.

  Each provider first spends its own retries (here 1). The chain moves on only for failures worth retrying
  elsewhere — `rate-limited`, `overloaded`, `server-error`, `connection-failed`, `timeout`; any other failure (an
  invalid key, a bad request) stops it, because the next provider would refuse the same request too. When every
  provider fails, the call fails with the last provider's error key and lists why each one did not answer.

  Rule: when Groq cannot answer, Together AI does, and the chain says why Groq did not

    Groq's failures are injected by the simulated provider (fault injection), so these run on the simulated target
    only.

    @simulator_only @groq @together_ai
    Scenario Outline: Together AI answers when Groq suffers <fault>
      Given Groq suffers <fault>
      And the fallback chain tries Groq, then Together AI
      When the fallback chain is asked for an answer
      Then the fallback chain is answered by Together AI
      And the fallback chain reports that Groq did not answer because of "<error key>"

      Examples:
        | fault              | error key         | description                        |
        | a lack of capacity | overloaded        | Groq has no capacity for the call  |
        | a full flex tier   | overloaded        | Groq's flex tier is full           |
        | an internal error  | server-error      | Groq fails internally              |
        | a reset connection | connection-failed | the connection to Groq breaks off  |

    @simulator_only @groq @together_ai
    Scenario: when every provider of the chain fails, the call fails with the last one's error key
      Given Groq suffers a lack of capacity
      And Together AI suffers an internal error
      And the fallback chain tries Groq, then Together AI
      When the fallback chain is asked for an answer
      Then the attempt fails with "server-error"
      And the fallback chain reports that Groq did not answer because of "overloaded"
      And the fallback chain reports that Together AI did not answer because of "server-error"

  Rule: when Groq is healthy, Groq answers and Together AI is not asked

    @groq @together_ai
    Scenario: a healthy Groq answers the fallback chain itself
      Given the fallback chain tries Groq, then Together AI
      When the fallback chain is asked for an answer
      Then the fallback chain is answered by Groq
      And the fallback chain tried only Groq

@provider_validation @integration_validation
Feature: A fallback chain answers from Together AI when Groq cannot
  A **fallback chain** (`ProviderFallbackChain`) tries chat clients in order — Groq first for its speed, Together AI
  when Groq cannot answer — and reports who answered and why the ones before did not:

  ```csharp
  await using var groq = ProviderSession.Open("groq", new() { Resilience = new() { MaxRetries = 1 } });
  await using var together = ProviderSession.Open("together_ai", new() { Resilience = new() { MaxRetries = 1 } });
  var chain = new ProviderFallbackChain([
      groq.CreateChatClient("llama-3.1-8b-instant"),
      together.CreateChatClient("meta-llama/Meta-Llama-3-8B-Instruct-Lite")]);
  FallbackResult answer = await chain.CompleteAsync(messages);
  // answer.AnsweringProvider == "together_ai"; answer.Steps[0] says why Groq did not answer
  ```

  Each provider first spends its own retries (`ResilienceOptions.MaxRetries`; here 1). The chain moves on only for
  failures worth retrying elsewhere — `rate-limited`, `overloaded`, `server-error`, `connection-failed`,
  `timeout`; any other failure (an invalid key, a bad request) stops it, because the next provider would refuse
  the same request too. When every provider fails, the call fails with the last provider's error key and
  `ProviderFallbackException.Steps` lists them all.

  Rule: when Groq cannot answer, Together AI does, and the chain says why Groq did not

    Groq's failures are injected by the simulated provider, so these run on the simulated target only.

    @simulator_only @groq @together_ai
    Scenario Outline: Together AI answers when Groq is failing with "<fault>"
      Given a fault "<fault>" at Groq
      And the fallback chain tries Groq, then Together AI
      When the fallback chain is asked for an answer
      Then the fallback chain is answered by Together AI
      And the fallback chain reports that Groq did not answer because of "<error key>"

      Examples:
        | fault             | error key         | description                           |
        | overloaded        | overloaded        | Groq has no capacity (503)            |
        | capacity-exceeded | overloaded        | Groq's flex tier is full (498)        |
        | server-error      | server-error      | Groq fails internally (500)           |
        | connection-reset  | connection-failed | the connection to Groq breaks off     |

    @simulator_only @groq @together_ai
    Scenario: when every provider of the chain fails, the call fails with the last one's error key
      Given a fault "overloaded" at Groq
      And a fault "server-error" at Together AI
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

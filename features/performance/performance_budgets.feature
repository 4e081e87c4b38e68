@provider_validation @performance_benchmarks @non_parallel
Feature: Groq and Together AI meet their performance budgets
  Budgets are evaluated on **measured distributions**, never on a single timing: each measurement streams
  completions through the provider layer at a fixed concurrency (closed loop, warm-up first) and reads the
  percentile from an HdrHistogram.

  | figure | definition |
  |---|---|
  | TTFT | time to first token: request sent → first chunk with content (llmperf and vLLM) |
  | TPOT | time per output token after the first: (end-to-end − TTFT) ÷ (output tokens − 1) (vLLM) |
  | output tokens/s | per request: output tokens ÷ end-to-end (llmperf); per run: all output tokens ÷ wall time |
  | recovery | first rate-limited (429) response → the next success |

  On the simulated target the latency profiles in `fixtures/latency-profiles/` are the ground truth: the
  simulator paces every answer by its model's profile (seeded, so a run is reproducible) and the harness's
  measurements are held to what it actually served. Every budget here is tight enough that a provider twice as
  slow misses it — the rule *Budgets are falsifiable* proves it on each run. A budget over too few successful
  requests (a P95 needs 20) is *not measured* — neither met nor missed, never read as 0. Live runs
  (`SPECS_TARGET=live`) take at most 20 requests per measurement, and a measurement the account's rate limits
  cannot serve is skipped, quoting the limits. The figures of the run land in
  `reports/benchmarks/performance-features/`; `providerspecs bench` measures more.

  **Choosing a model for latency**: a small Groq model (`llama-3.1-8b-instant`) answers first and decodes
  fastest; Together AI's `Llama-3.3-70B-Instruct-Turbo` trades speed for a larger model.

  Rule: time to first token stays within budget

    @groq
    Scenario: the P95 time to first token of a small Groq model stays under 500 ms
      When 60 streamed completions of "llama-3.1-8b-instant" on Groq are measured at concurrency 8
      Then every measured request succeeded
      And the budget "p95 ttft < 500 ms" is met

    @together_ai
    Scenario: Together AI answers within 1000 ms at P95
      When 60 streamed completions of "meta-llama/Llama-3.3-70B-Instruct-Turbo" on Together AI are measured at concurrency 8
      Then every measured request succeeded
      And the budget "p95 ttft < 1000 ms" is met

  Rule: tokens after the first arrive at the model's decode speed

    Scenario Outline: <provider>'s <model> keeps its time per output token within budget
      When 40 streamed completions of "<model>" on <provider> are measured at concurrency 8
      Then every measured request succeeded
      And the budget "<budget>" is met

      @groq
      Examples: Groq
        | provider | model                | budget           |
        | Groq     | llama-3.1-8b-instant | p50 tpot < 2.5 ms |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | budget          |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | p50 tpot < 16 ms |

  Rule: throughput grows with concurrency

    Scenario Outline: <provider> serves more output tokens per second as concurrency rises
      When streamed completions of "<model>" on <provider> are measured at concurrency 1, 4 and 16
      Then output tokens per second at concurrency 4 are at least 2.5 times those at concurrency 1
      And output tokens per second at concurrency 16 are at least 2.5 times those at concurrency 4

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: streaming shows the answer as it is written

    Scenario Outline: streaming from <provider> shows the first token before a non-streamed answer is complete
      When 20 streamed completions of "<model>" on <provider> are measured at concurrency 4
      And 20 non-streamed completions of "<model>" on <provider> are measured at concurrency 4
      Then streaming shows the first token of "<model>" on <provider> before a non-streamed answer is complete

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: Groq is the faster of the two

    @groq @together_ai
    Scenario: Groq answers sooner and decodes faster than Together AI
      When 30 streamed completions of "llama-3.1-8b-instant" on Groq are measured at concurrency 6
      And 30 streamed completions of "meta-llama/Llama-3.3-70B-Instruct-Turbo" on Together AI are measured at concurrency 6
      Then "llama-3.1-8b-instant" on Groq beats "meta-llama/Llama-3.3-70B-Instruct-Turbo" on Together AI on time to first token at concurrency 6
      And "llama-3.1-8b-instant" on Groq beats "meta-llama/Llama-3.3-70B-Instruct-Turbo" on Together AI on output tokens per second at concurrency 6

  Rule: measurements agree with what the provider served

    Only the simulated provider says what it served: simulated target only.

    @simulator_only
    Scenario Outline: the measured time to first token of <provider> matches the simulator's served timing
      When 40 streamed completions of "<model>" on <provider> are measured at concurrency 8
      Then the measured time to first token is within 10 ms of the served one at the median

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: budgets are falsifiable

    Slowing a provider down on purpose needs the simulated provider: simulated target only.

    @simulator_only
    Scenario Outline: a <provider> twice as slow as its profile misses "<budget>"
      Given <provider> is twice as slow as its latency profile
      When 40 streamed completions of "<model>" on <provider> are measured at concurrency 8
      Then the budget "<budget>" is missed

      @groq
      Examples: Groq
        | provider | model                | budget            |
        | Groq     | llama-3.1-8b-instant | p95 ttft < 500 ms |
        | Groq     | llama-3.1-8b-instant | p50 tpot < 2.5 ms |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | budget             |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | p95 ttft < 1000 ms |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | p50 tpot < 16 ms   |

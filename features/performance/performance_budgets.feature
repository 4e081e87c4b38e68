@provider_validation @performance_benchmarks @non_parallel
Feature: Groq and Together AI answer within their performance budgets
  A budget is judged on **many measured answers**, never on a single timing: each measurement streams answers
  through the provider layer, a fixed number at a time after a warm-up, and reads the statistic from the spread of
  what it measured. The glossary defines each figure — *time to the first word*, *time per further token*,
  *answer tokens per second*, *median* and *percentile*.

  On the simulated target the providers' latency profiles (`fixtures/latency-profiles/`, their published speeds)
  are the ground truth: the simulator paces every answer by its model's profile (seeded, so a run is reproducible)
  and the measurements are held to what it actually served. Every budget here is tight enough that a provider twice
  as slow misses it — the rule *Budgets are falsifiable* proves it on each run. A budget over too few answers is
  *not measured* — neither met nor missed: a median needs 3 answers, a 90th percentile 10, a 95th 20, a 99th 100.
  Live runs (`SPECS_TARGET=live`) take at most 20 answers per measurement, and a measurement the account's rate
  limits cannot serve is skipped, quoting the limits. The figures of the run land in
  `reports/benchmarks/performance-features/`; `providerspecs bench` measures more.

  **Choosing a model for latency**: for the same open model (`openai/gpt-oss-20b`) Groq starts sooner and writes
  faster than Together AI, which charges less for it — see *what a workload costs* in
  [resources and cost](resources_and_cost.feature). A small Groq model (`llama-3.1-8b-instant`) answers first;
  Together AI's `Llama-3.3-70B-Instruct-Turbo` trades speed for a model nine times larger.

  Rule: the time to the first word stays within budget

    @groq
    Scenario: the 95th-percentile time to the first word of a small Groq model stays under half a second
      When 60 streamed answers of "llama-3.1-8b-instant" from Groq are measured, 8 at a time
      Then every measured answer arrived
      And the 95th-percentile time to the first word stays under half a second

    @together_ai
    Scenario: Together AI's 95th-percentile time to the first word stays under a second
      When 60 streamed answers of "meta-llama/Llama-3.3-70B-Instruct-Turbo" from Together AI are measured, 8 at a time
      Then every measured answer arrived
      And the 95th-percentile time to the first word stays under a second

  Rule: every percentile of the time to the first word stays within budget

    The median says what a typical user waits, the 90th and 95th percentiles what one in ten or twenty waits, the
    99th the slowest one in a hundred. A live run measures 20 answers, enough for the median and the 90th and 95th
    percentiles; the 99th needs 100 answers, too costly live, so it is judged on the simulated target only.

    Scenario Outline: <provider>'s <model> keeps its median, 90th and 95th percentiles within budget
      When 40 streamed answers of "<model>" from <provider> are measured, 8 at a time
      Then every measured answer arrived
      And the median time to the first word stays under <median>
      And the 90th-percentile time to the first word stays under <p90>
      And the 95th-percentile time to the first word stays under <p95>

      @groq
      Examples: Groq
        | provider | model                | median                | p90    | p95           |
        | Groq     | llama-3.1-8b-instant | a quarter of a second | 400 ms | half a second |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | median | p90    | p95      |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 750 ms | 900 ms | a second |

    @simulator_only
    Scenario Outline: <provider>'s slowest answer in a hundred starts within <p99>
      When 100 streamed answers of "<model>" from <provider> are measured, 8 at a time
      Then every measured answer arrived
      And the 99th-percentile time to the first word stays under <p99>

      @groq
      Examples: Groq
        | provider | model                | p99    |
        | Groq     | llama-3.1-8b-instant | 550 ms |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | p99         |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 1.5 seconds |

  Rule: tokens after the first arrive at the model's decode speed

    Scenario Outline: <provider>'s <model> keeps its time per further token within budget
      When 40 streamed answers of "<model>" from <provider> are measured, 8 at a time
      Then every measured answer arrived
      And the median time per further token stays under <budget>

      @groq
      Examples: Groq
        | provider | model                | budget |
        | Groq     | llama-3.1-8b-instant | 2.5 ms |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | budget |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 16 ms  |

  Rule: throughput grows with the number of answers at a time

    On the simulated target the outcome is decided by the simulator's latency files alone: the simulator serves every
    answer at its profile's pace however many arrive at once, so more at a time always means more tokens per second.
    Live, it is decided by measurement — a provider whose capacity is saturated fails it.

    Scenario Outline: <provider> writes more answer tokens per second as more answers run at a time
      When streamed answers of "<model>" from <provider> are measured 1, 4 and 16 at a time
      Then answer tokens per second with 4 at a time are at least 2.5 times those with 1 at a time
      And answer tokens per second with 16 at a time are at least 2.5 times those with 4 at a time

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: streaming shows the answer as it is written

    Scenario Outline: streaming from <provider> shows the first word before a whole answer is complete
      When 20 streamed answers of "<model>" from <provider> are measured, 4 at a time
      And 20 whole answers of "<model>" from <provider> are measured, 4 at a time
      Then streaming shows the first word of "<model>" from <provider> before a whole answer is complete

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: for the same open model, Groq is the faster of the two

    Both providers serve OpenAI's open-weight `openai/gpt-oss-20b`, so this compares the providers and not the models.
    On the simulated target the outcome is decided by the simulator's latency files alone (Groq's published ~1,000
    tokens per second against Together AI's few hundred, see their sources); live, it is decided by measurement. The
    figures of both are reported either way.

    @groq @together_ai
    Scenario: Groq starts and writes gpt-oss-20b's answers sooner than Together AI
      When 20 streamed answers of "openai/gpt-oss-20b" from Groq are measured, 4 at a time
      And 20 streamed answers of "openai/gpt-oss-20b" from Together AI are measured, 4 at a time
      Then Groq's "openai/gpt-oss-20b" starts its answers sooner than Together AI's "openai/gpt-oss-20b"
      And Groq's "openai/gpt-oss-20b" writes its answers faster than Together AI's "openai/gpt-oss-20b"

  Rule: a small model answers sooner than a large one

    A size comparison, not a provider comparison: an 8-billion-parameter model on Groq against a 70-billion one on
    Together AI. On the simulated target the outcome is decided by the simulator's latency files alone; live, by
    measurement. The figures of both are reported either way.

    @groq @together_ai
    Scenario: Groq's small Llama starts and writes sooner than Together AI's 70B Llama
      When 30 streamed answers of "llama-3.1-8b-instant" from Groq are measured, 6 at a time
      And 30 streamed answers of "meta-llama/Llama-3.3-70B-Instruct-Turbo" from Together AI are measured, 6 at a time
      Then Groq's "llama-3.1-8b-instant" starts its answers sooner than Together AI's "meta-llama/Llama-3.3-70B-Instruct-Turbo"
      And Groq's "llama-3.1-8b-instant" writes its answers faster than Together AI's "meta-llama/Llama-3.3-70B-Instruct-Turbo"

  Rule: measurements agree with what the provider served

    Only the simulated provider says what it served: simulated target only.

    @simulator_only
    Scenario Outline: the measured time to the first word of <provider> matches what the simulator served
      When 40 streamed answers of "<model>" from <provider> are measured, 8 at a time
      Then the measured time to the first word is within 10 ms of the served one at the median

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
    Scenario Outline: a <provider> twice as slow as its profile misses "the <statistic> <figure> under <limit>"
      Given <provider> is twice as slow as its latency profile
      When <answers> streamed answers of "<model>" from <provider> are measured, 8 at a time
      Then the <statistic> <figure> is not under <limit>

      @groq
      Examples: Groq
        | provider | model                | answers | statistic       | figure                 | limit                 |
        | Groq     | llama-3.1-8b-instant | 40      | median          | time to the first word | a quarter of a second |
        | Groq     | llama-3.1-8b-instant | 40      | 90th-percentile | time to the first word | 400 ms                |
        | Groq     | llama-3.1-8b-instant | 40      | 95th-percentile | time to the first word | half a second         |
        | Groq     | llama-3.1-8b-instant | 100     | 99th-percentile | time to the first word | 550 ms                |
        | Groq     | llama-3.1-8b-instant | 40      | median          | time per further token | 2.5 ms                |

      @together_ai
      Examples: Together AI
        | provider    | model                                   | answers | statistic       | figure                 | limit       |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 40      | median          | time to the first word | 750 ms      |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 40      | 90th-percentile | time to the first word | 900 ms      |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 40      | 95th-percentile | time to the first word | a second    |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 100     | 99th-percentile | time to the first word | 1.5 seconds |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | 40      | median          | time per further token | 16 ms       |

@provider_validation @performance_benchmarks @non_parallel
Feature: What a client spends beyond the answer — starting, connecting, finding its key, memory, errors and money
  An answer's latency is not all a client pays. A client started cold first opens a connection; a client that keeps
  its connections open does not; finding the API key costs a little for every session; memory and errors grow with
  the answers running at once; and every token has a price. Each figure here is judged on many measured answers,
  with the same rule as the budgets of [the performance budgets](performance_budgets.feature): a figure over too
  few answers is *not measured*, never met.

  | client set-up | what it does |
  |---|---|
  | warm client (the usual one) | one client for the whole measurement: connections kept open and reused, the key looked up once |
  | newly started client (cold start) | a new client for every answer: a new connection and a new session each time |
  | key looked up for every answer | connections reused, but the key looked up and a session opened for every answer |

  On the simulated target a connection to 127.0.0.1 costs almost nothing, so a cold start adds little; live, the
  connection to the provider (its handshakes) is part of what a cold start adds. Live runs take at most 20 answers
  per measurement and skip a measurement the account's rate limits cannot serve.

  Rule: a cold start costs little more than a warm client

    Scenario Outline: starting a new client for every answer adds at most half a second at <provider>
      When 20 streamed answers of "<model>" from <provider> are measured, 4 at a time
      And 20 streamed answers of "<model>" from <provider> are measured, 4 at a time, each from a newly started client
      Then starting cold adds at most half a second to the median time to the first word

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model              |
        | Together AI | openai/gpt-oss-20b |

  Rule: a warm client reuses its connections

    After the warm-up has opened one connection for each answer running at once, the answers that follow reuse them.

    Scenario Outline: <provider>'s answers reuse the warm client's connections
      When 40 streamed answers of "<model>" from <provider> are measured, 8 at a time
      Then every measured answer arrived
      And at most 1 in 20 answers needed a new connection

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model              |
        | Together AI | openai/gpt-oss-20b |

  Rule: finding the API key costs next to nothing

    The key comes from the credential chain (see [where keys come from](../credentials/credential_fallback.feature)):
    an explicit key, the environment, a `.env` file, the credentials file. A client that opens a session for every
    answer walks it every time; the time it takes is the authentication overhead.

    Scenario Outline: looking up the key for every answer takes at most a millisecond at <provider>
      When 20 streamed answers of "<model>" from <provider> are measured, 4 at a time
      And 20 streamed answers of "<model>" from <provider> are measured, 4 at a time, looking up the key for every answer
      Then finding the key takes at most 1 ms per answer at the median

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model              |
        | Together AI | openai/gpt-oss-20b |

  Rule: memory per answer does not grow with the answers at once

    Memory is read as what the process allocates per answer, compared between two measurements of the same run, so
    the machine and what else the process does cancel out.

    Scenario Outline: <provider>'s answers take no more than twice the memory each with 16 at a time as alone
      When 12 streamed answers of "<model>" from <provider> are measured, 1 at a time
      And 48 streamed answers of "<model>" from <provider> are measured, 16 at a time
      Then the memory allocated per answer with 16 at a time is at most 2 times that with 1 at a time

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model              |
        | Together AI | openai/gpt-oss-20b |

  Rule: errors stay rare under load

    Scenario Outline: at most 1 in 20 of <provider>'s answers fails with 16 at a time
      When 48 streamed answers of "<model>" from <provider> are measured, 16 at a time
      Then at most 1 in 20 answers failed

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model              |
        | Together AI | openai/gpt-oss-20b |

  Rule: what a workload costs, next to how soon it answers

    A workload is so many requests of so many prompt tokens and answer tokens; its cost is the catalog's prices — in
    dollars per million tokens, input and output — applied to them. Prices come from the provider's own model list
    where it carries them (Together AI's does) and from the bundled metadata snapshot otherwise (Groq's). Each cost is
    reported next to the model's median time to the first word when the scenario measured it.

    | workload: 1,000 requests of 500 prompt + 200 answer tokens | input $/1M | output $/1M | cost |
    |---|---|---|---|
    | Groq `llama-3.1-8b-instant` | 0.05 | 0.08 | $0.041 |
    | Together AI `openai/gpt-oss-20b` | 0.05 | 0.20 | $0.065 |
    | Groq `openai/gpt-oss-20b` | 0.075 | 0.30 | $0.0975 |
    | Together AI `Llama-3.3-70B-Instruct-Turbo` | 0.88 | 0.88 | $0.616 |

    @groq @together_ai
    Scenario: the same open model costs less on Together AI than on Groq, which answers sooner
      Given a workload of 1,000 requests, each of 500 prompt tokens and 200 answer tokens
      When 20 streamed answers of "openai/gpt-oss-20b" from Groq are measured, 4 at a time
      And 20 streamed answers of "openai/gpt-oss-20b" from Together AI are measured, 4 at a time
      And Groq's prices are read from its model list
      And Together AI's prices are read from its model list
      Then the workload costs less on Together AI's "openai/gpt-oss-20b" than on Groq's "openai/gpt-oss-20b"

    @groq @together_ai @simulator_only
    Scenario: a workload's cost is the catalog's prices applied to its tokens
      The exact figures hold for the prices of the bundled snapshot, which the simulated providers list; a live price
      list changes with the providers' prices: simulated target only.

      Given a workload of 1,000 requests, each of 500 prompt tokens and 200 answer tokens
      When Groq's prices are read from its model list
      And Together AI's prices are read from its model list
      Then the workload costs
        | provider    | model                                   | cost    |
        | Groq        | llama-3.1-8b-instant                    | $0.041  |
        | Together AI | openai/gpt-oss-20b                      | $0.065  |
        | Groq        | openai/gpt-oss-20b                      | $0.0975 |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo | $0.616  |

@provider_validation @functional_validation
Feature: Groq and Together AI are available through the provider layer
  One provider layer reaches every OpenAI-compatible provider the same way: a provider is an entry in the
  **registry**, not code. Groq and Together AI are validated in depth; the registry lists ten more
  OpenAI-compatible providers a team is likely to compare.

  | provider    | id            | key variable       | base-URL override   |
  |-------------|---------------|--------------------|---------------------|
  | Groq        | `groq`        | `GROQ_API_KEY`     | `GROQ_BASE_URL`     |
  | Together AI | `together_ai` | `TOGETHER_API_KEY` | `TOGETHER_BASE_URL` |

  See [the credential chain](../credentials/credential_fallback.feature) for where the key may come from, and the
  guide's *Configuring each provider* for registering another provider.

  Rule: each provider is found by its id or an alias, and opens through the provider layer

    Scenario Outline: <provider> is found by its id and opens through the provider layer
      When the registry is asked for "<id>"
      Then it answers with "<provider>"
      And the provider layer opens a session for it at its registered base URL

      @groq
      Examples: Groq
        | provider | id   |
        | Groq     | groq |

      @together_ai
      Examples: Together AI
        | provider    | id          |
        | Together AI | together_ai |

    Scenario Outline: the metadata of <provider> can be retrieved
      When the registry is asked for "<id>"
      Then its base URL is "<base url>"
      And its API key variable is "<key variable>"
      And its base-URL override variable is "<url variable>"
      And its documentation is at "<docs>"

      @groq
      Examples: Groq
        | provider | id   | base url                       | key variable | url variable  | docs                                 |
        | Groq     | groq | https://api.groq.com/openai/v1 | GROQ_API_KEY | GROQ_BASE_URL | https://console.groq.com/docs/models |

      @together_ai
      Examples: Together AI
        | provider    | id          | base url                    | key variable     | url variable      | docs                                            |
        | Together AI | together_ai | https://api.together.xyz/v1 | TOGETHER_API_KEY | TOGETHER_BASE_URL | https://docs.together.ai/docs/serverless-models |

    Scenario Outline: the alias "<alias>" resolves to <provider>
      When the registry is asked for "<alias>"
      Then it answers with "<provider>"

      @groq
      Examples: Groq
        | alias | provider |
        | GROQ  | Groq     |

      @together_ai
      Examples: Together AI
        | alias       | provider    |
        | together    | Together AI |
        | together_ai | Together AI |
        | togetherai  | Together AI |
        | together-ai | Together AI |

    @groq
    Scenario: a mistyped provider id is refused with the close matches
      When the registry is asked for "grok"
      Then the attempt fails with "unknown-provider"
      And the error suggests "groq"

  Rule: the registry covers the OpenAI-compatible providers a team is likely to compare

    Every entry must be usable as it stands: a session opens from it alone, at an https base URL, with a key
    variable to read. A provider added to or dropped from the registry changes this list.

    @groq @together_ai
    Scenario: every provider of the registry opens through the provider layer as registered
      When the registry is asked for every provider it knows
      Then it lists these providers:
        | provider     | id          |
        | Groq         | groq        |
        | Together AI  | together_ai |
        | OpenAI       | openai      |
        | Fireworks AI | fireworks   |
        | Deep Infra   | deepinfra   |
        | Cerebras     | cerebras    |
        | Mistral      | mistral     |
        | OpenRouter   | openrouter  |
        | DeepSeek     | deepseek    |
        | xAI          | xai         |
        | Perplexity   | perplexity  |
        | NVIDIA NIM   | nvidia      |
      And the provider layer opens a session for each of them at its registered base URL

  Rule: each provider answers with its own model list, as extensive as the catalog promises

    The floors are set well below what each provider lists, so that retiring a model or two never fails them, but
    a provider whose list shrank to a handful — or a layer that reads only part of it — does. Together AI serves
    dozens of chat models and several of every other kind (the bundled snapshot of 2026-07-02 alone holds 29 chat,
    3 code and 2 embedding models among 38); Groq serves fewer, mostly chat, with speech and guard models beside
    them. Groq's model list states no kind, so Groq's kinds are the snapshot's: a model Groq added since is
    counted under "any kind" only.

    @together_ai
    Scenario: Together AI answers through the provider layer with an extensive catalog of every kind
      When the client asks Together AI for its models through the provider layer
      Then Together AI lists at least these models of each kind:
        | kind       | at least |
        | any kind   | 30       |
        | chat       | 20       |
        | code       | 1        |
        | embedding  | 2        |
        | rerank     | 1        |
        | image      | 1        |
        | moderation | 1        |

    @groq
    Scenario: Groq answers through the provider layer with its chat, speech and guard models
      When the client asks Groq for its models through the provider layer
      Then Groq lists at least these models of each kind:
        | kind       | at least |
        | any kind   | 10       |
        | chat       | 5        |
        | audio      | 2        |
        | moderation | 1        |

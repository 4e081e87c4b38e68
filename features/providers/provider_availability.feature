@provider_validation @functional_validation
Feature: Groq and Together AI are available through the provider layer
  One provider layer reaches every OpenAI-compatible provider the same way: a provider is an entry in the
  registry (`src/ProviderSpecs.Providers/Registry/providers.json`), not code. Groq and Together AI are
  validated in depth; the registry lists ten more OpenAI-compatible providers.

  | provider    | id            | key variable       | base-URL override   |
  |-------------|---------------|--------------------|---------------------|
  | Groq        | `groq`        | `GROQ_API_KEY`     | `GROQ_BASE_URL`     |
  | Together AI | `together_ai` | `TOGETHER_API_KEY` | `TOGETHER_BASE_URL` |

  See [the credential chain](../credentials/credential_fallback.feature) for where the key may come from.

  Scenario Outline: <provider> is listed with the openai-compatible adapter
    When the registry is asked for "<id>"
    Then it answers with "<provider>"
    And its adapter is "openai-compatible"

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
      | provider | id   | base url                       | key variable | url variable  | docs                                |
      | Groq     | groq | https://api.groq.com/openai/v1 | GROQ_API_KEY | GROQ_BASE_URL | https://console.groq.com/docs/models |

    @together_ai
    Examples: Together AI
      | provider    | id          | base url                    | key variable     | url variable      | docs                                           |
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

  Scenario: an unknown provider id is refused with the close matches
    When the registry is asked for "grok"
    Then the attempt fails with "unknown-provider"
    And the error suggests "groq"

  Scenario: the registry covers the OpenAI-compatible providers a team is likely to compare
    Then the registry lists at least 12 providers
    And every registered provider uses the "openai-compatible" adapter

  Scenario Outline: <provider> answers through the provider layer
    When the client asks <provider> for its models through the provider layer
    Then <provider> answers with at least 3 models

    @groq
    Examples: Groq
      | provider |
      | Groq     |

    @together_ai
    Examples: Together AI
      | provider    |
      | Together AI |

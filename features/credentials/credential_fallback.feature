@provider_validation @functional_validation
Feature: The API key is found through a fallback chain
  A session finds its provider's key in the first of four places that holds one, and can always say which
  place answered — without ever showing the key:

  | order | place                | how to use it                                                      |
  |-------|----------------------|--------------------------------------------------------------------|
  | 1     | explicit key         | given in code when the session opens — for tests and multi-tenant apps |
  | 2     | environment variable | `GROQ_API_KEY`, `TOGETHER_API_KEY` — for CI and production         |
  | 3     | .env file            | a `.env` file in the working directory — for local development     |
  | 4     | credentials file     | the per-user credentials file, readable by its owner only          |

  Keys are shown masked (`gsk_…a1b2`). The command-line tool prints, per provider, which place answered. Where the
  files live and how to fill them: the guide's *Configuring each provider*. Every scenario here runs in a sandbox:
  nothing of the machine's own keys is read or changed.

  Rule: the first place holding a key answers, and says so

    Scenario Outline: the <source> answers for <provider> when it is the only place holding a key
      Given <provider>'s key is placed in the <source>
      When the key for <provider> is resolved
      Then the key comes from the <source>

      @groq
      Examples: Groq
        | provider | source               |
        | Groq     | explicit key         |
        | Groq     | environment variable |
        | Groq     | .env file            |
        | Groq     | credentials file     |

      @together_ai
      Examples: Together AI
        | provider    | source               |
        | Together AI | explicit key         |
        | Together AI | environment variable |
        | Together AI | .env file            |
        | Together AI | credentials file     |

    Scenario Outline: the <first> wins over the <second> for <provider>
      Given <provider>'s key is placed in the <second>
      And <provider>'s key is placed in the <first>
      When the key for <provider> is resolved
      Then the key comes from the <first>

      @groq
      Examples: Groq
        | provider | first                | second               |
        | Groq     | explicit key         | environment variable |
        | Groq     | environment variable | .env file            |
        | Groq     | .env file            | credentials file     |

      @together_ai
      Examples: Together AI
        | provider    | first                | second               |
        | Together AI | explicit key         | environment variable |
        | Together AI | environment variable | .env file            |
        | Together AI | .env file            | credentials file     |

    Scenario Outline: a blank value in the <blank source> is skipped for <provider>
      Given <provider>'s key in the <blank source> is only whitespace
      And <provider>'s key is placed in the credentials file
      When the key for <provider> is resolved
      Then the key comes from the credentials file
      And the chain reports the <blank source> as "skipped"

      @groq
      Examples: Groq
        | provider | blank source         |
        | Groq     | environment variable |

      @together_ai
      Examples: Together AI
        | provider    | blank source |
        | Together AI | .env file    |

  Rule: a missing key is reported with every place looked and the variable to set

    Scenario Outline: no key for <provider> anywhere
      When a chat client for <provider> is requested
      Then the attempt fails with "missing-credential"
      And the error names "<variable>"
      And the error names the .env file
      And the error names the credentials file

      @groq
      Examples: Groq
        | provider | variable     |
        | Groq     | GROQ_API_KEY |

      @together_ai
      Examples: Together AI
        | provider    | variable         |
        | Together AI | TOGETHER_API_KEY |

  Rule: doubtful keys are used, with a warning

    @groq
    Scenario: a Groq key without the gsk_ prefix is a warning, not a refusal
      Given Groq's key in the environment variable is "not-a-groq-shaped-key"
      When the key for Groq is resolved
      Then the key comes from the environment variable
      And the resolution warns about "gsk_"

    @together_ai
    Scenario: a credentials file readable by others is a warning
      Given Together AI's key is placed in the credentials file
      And the credentials file is readable by others
      When the key for Together AI is resolved
      Then the key comes from the credentials file
      And the resolution warns about "chmod 600"

  Rule: the provider receives the key as a Bearer token, refuses a wrong one, and the key never leaks

    Scenario Outline: <provider> receives the key as a Bearer token
      When the client asks <provider> for a short completion with its key
      Then the key travelled as a Bearer token in the Authorization header

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

    Scenario Outline: <provider> refuses an invalid key with the authentication error
      When the client asks <provider> for a short completion with an invalid key
      Then the attempt fails with "authentication"

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

    Scenario Outline: the key never appears in what a <provider> session shows
      Given <provider>'s key is placed in the environment variable
      When the key for <provider> is resolved
      And the client asks <provider> for a short completion with an invalid key
      And the client asks <provider> for a short completion with its key
      Then no output of the scenario contains a key it used

      @groq
      Examples: Groq
        | provider |
        | Groq     |

      @together_ai
      Examples: Together AI
        | provider    |
        | Together AI |

@groq @functional_validation
Feature: Provider registry
  The registry knows every provider by name.

  | provider    | base URL                        |
  | ----------- | ------------------------------- |
  | groq        | https://api.groq.com/openai/v1  |

  See also [the fault matrix](../reliability/faults.feature) and ![logo](logo.png).
  Background:
    Given the simulated providers are running

  Scenario: Groq is registered
    When I look up provider "groq"
    Then the registry returns it with the base URL
      | name | base url                       |
      | groq | https://api.groq.com/openai/v1 |

  Scenario Outline: Every provider lists models
    When I list the models of "<provider>"
    Then at least <count> models are returned

    @groq
    Examples: Groq
      | provider | count |
      | groq     | 3     |

    @together_ai
    Examples: Together
      | provider    | count |
      | together_ai | 5     |

  Rule: Unknown providers are refused
    Scenario: An unknown name is refused with <script>alert(1)</script>
      When I look up provider "nope"
      Then the request body was
        """json
        {"provider": "nope"}
        """

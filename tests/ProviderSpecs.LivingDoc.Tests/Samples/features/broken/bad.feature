Feature: Broken on purpose

  Scenario: Fine so far
    Given a step
  This line is not Gherkin at all
    Then another

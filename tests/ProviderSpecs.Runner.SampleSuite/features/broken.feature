Feature: Broken on purpose
  Scenario: looks fine
    Given a counter starting at 1
  This line is not Gherkin
    Then the counter is 1

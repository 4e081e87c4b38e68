@sample
Feature: Outcomes
  Every outcome a scenario can have, so the runner's mapping to NUnit can be checked.

  Background:
    Given a counter starting at 1

  Scenario: a passing scenario with a table and a doc string
    When the counter is increased by the values
      | value |
      | 2     |
      | 3     |
    And a note is written
      """
      first line
      second line
      """
    Then the counter is 6
    And the note has 2 lines

  Scenario: a failing scenario
    When the counter is increased by 1
    Then the counter is 3

  Scenario: a pending scenario
    When a step that is still pending runs

  Scenario: an undefined scenario
    When a step nobody has written yet runs

  Scenario: an ambiguous scenario
    When a step bound twice runs

  Scenario: a scenario skipped by a declared exception
    When a condition outside the system is not met
    Then the counter is 99

  @ignore
  Scenario: an ignored scenario
    Then the counter is 99

  Scenario Outline: an outline over two examples blocks
    When the counter is increased by <amount>
    Then the counter is <total>

    @fast
    Examples: quick ones
      | amount | total |
      | 1      | 2     |
      | 2      | 3     |

    Examples: a wrong one
      | amount | total |
      | 5      | 7     |

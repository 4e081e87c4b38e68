@hooks
Feature: Rules and hooks
  Rules with their own backgrounds, context injection, output and attachments.

  Rule: Doubling
    Background:
      Given a counter starting at 2

    @rule_tag
    Scenario: a rule background runs before the scenario
      When the counter is doubled
      Then the counter is 4
      And the hooks ran in order
      And the run writes an output line and an attachment

  Rule: A hook that fails
    @failing_hook
    Scenario: a scenario whose before-scenario hook fails
      Then the counter is 0

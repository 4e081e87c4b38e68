@together_ai @reliability_validation
Feature: Fault handling
  Faults are mapped to error keys.

  Scenario: A timeout is reported as timeout
    Given a fault "timeout" on "together_ai"
    When I send a chat request
    Then the error key is "timeout"

  Scenario: Overload is retried
    Given a fault "overloaded" on "together_ai"
    When I send a chat request
    Then the request was retried

  Scenario: Streams that stop are reported
    Given a fault "stream-cut" on "together_ai"
    When I stream a chat request
    Then the error key is "stream-interrupted"

  @ignore
  Scenario: Live-only fault
    Given a live provider

  Scenario: Never run
    Given something nobody ran

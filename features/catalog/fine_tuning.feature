@provider_validation @functional_validation @together_ai
Feature: Together AI fine-tunes the models its catalog marks as fine-tunable
  Together AI trains a custom version of some of its models (`POST /v1/fine-tunes`). The catalog says which:
  `providerspecs models together --capability fine-tuning`. A job moves `pending → queued → running →
  completed`; poll `GET /v1/fine-tunes/{id}` and cancel with `POST /v1/fine-tunes/{id}/cancel`.

  Fine-tuning jobs cost money on the live service, so the scenarios that create one run on the simulated
  target only; the first one — which only reads lists — runs live too.

  Scenario: the catalog and the fine-tuning service agree on which models can be fine-tuned
    Then every model Together AI's catalog marks as fine-tunable is offered for fine-tuning

  @simulator_only
  Scenario Outline: a fine-tuning job for <model> runs to completion
    When a fine-tuning job for "<model>" is created on Together AI
    Then the fine-tuning job is "pending"
    And the fine-tuning job moves through "pending, queued, running, completed"

    Examples:
      | model               |
      | openai/gpt-oss-20b  |
      | openai/gpt-oss-120b |

  @simulator_only
  Scenario: a model the catalog does not mark as fine-tunable is refused
    When a fine-tuning job for "meta-llama/Llama-3.3-70B-Instruct-Turbo" is created on Together AI
    Then the fine-tuning request is refused with status 400 and code "model_not_supported"

  @simulator_only
  Scenario: a job can be cancelled before it finishes
    When a fine-tuning job for "openai/gpt-oss-20b" is created on Together AI
    And the fine-tuning job is cancelled
    Then the fine-tuning job is "cancelled"

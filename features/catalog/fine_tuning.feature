@provider_validation @functional_validation @together_ai
Feature: Together AI fine-tunes the models its catalog marks as fine-tunable
  Together AI trains a custom version of some of its models: a **fine-tuning job**. The catalog says which models
  can be fine-tuned (the *fine-tuning* capability); a job moves from pending through
  queued and running to completed, and a completed job names the model it made and the model it was trained from.
  How to start, follow and cancel a job: the guide's *Fine-tuning with Together AI*.

  Fine-tuning jobs cost money on the live service, so the scenarios that create one run on the simulated target
  only (the reason the glossary gives for **@simulator_only**: too costly live); the first one, which only reads
  lists, runs live too.

  Rule: the catalog and the fine-tuning service agree on what can be fine-tuned

    Scenario: the catalog and the fine-tuning service agree on which models can be fine-tuned
      Then every model Together AI's catalog marks as fine-tunable is offered for fine-tuning

    @simulator_only
    Scenario: a model the catalog does not mark as fine-tunable is refused
      When a fine-tuning job for "meta-llama/Llama-3.3-70B-Instruct-Turbo" is created on Together AI
      Then the fine-tuning request is refused because the model cannot be fine-tuned

  Rule: a job runs to completion, and the model it made says where it came from

    @simulator_only
    Scenario Outline: a fine-tuning job for <model> runs to completion
      When a fine-tuning job for "<model>" is created on Together AI
      Then the fine-tuning job is "pending"
      And the fine-tuning job moves through "pending, queued, running, completed"
      And the fine-tuned model is named after "<model>", the model it was trained from

      Examples:
        | model               |
        | openai/gpt-oss-20b  |
        | openai/gpt-oss-120b |

    @simulator_only
    Scenario: a job can be cancelled before it finishes
      When a fine-tuning job for "openai/gpt-oss-20b" is created on Together AI
      And the fine-tuning job is cancelled
      Then the fine-tuning job is "cancelled"

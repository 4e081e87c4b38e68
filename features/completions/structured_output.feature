@provider_validation @functional_validation
Feature: A completion can be asked to answer in JSON, or in JSON that follows a schema
  | need                                      | ask for                              | models                                             |
  |-------------------------------------------|--------------------------------------|----------------------------------------------------|
  | any JSON object                           | JSON mode                            | every chat model of both providers                 |
  | JSON of a given shape (structured output) | a JSON schema the answer must follow | models the catalog marks as supporting JSON schema |

  The schemas the scenarios use are named here and defined in the guide's *Completions, parameters and structured
  output*, with the code that asks for them: the **incident summary** (a title, a severity, how many users were
  affected, one to four tags, resolved or not) and **one answer** (a single text field).

  Mention JSON in the prompt: some providers refuse JSON mode otherwise. Find the models with structured output
  by narrowing the catalog to models that support JSON schema (see [selecting a model](../catalog/model_selection.feature)).
  On Groq a model without structured output refuses a schema with `bad-request`.

  Rule: JSON mode answers with a JSON object

    Scenario Outline: <provider>'s <model> answers in JSON mode with a JSON object
      Given a completion in JSON mode
      When a completion is requested from <provider>'s "<model>"
      Then the answer is a JSON object

      @groq
      Examples: Groq
        | provider | model                |
        | Groq     | llama-3.1-8b-instant |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: Structured output answers with JSON that follows the schema

    Scenario Outline: <provider>'s <model> answers with an incident summary that follows the schema
      Given a completion limited to 1000 tokens
      And a completion whose answer must follow the "incident summary" schema
      When a completion is requested from <provider>'s "<model>"
      Then the answer follows the JSON schema

      @groq
      Examples: Groq
        | provider | model                                     |
        | Groq     | openai/gpt-oss-20b                        |
        | Groq     | meta-llama/llama-4-scout-17b-16e-instruct |

      @together_ai
      Examples: Together AI
        | provider    | model                          |
        | Together AI | Qwen/Qwen2.5-7B-Instruct-Turbo |
        | Together AI | openai/gpt-oss-20b             |

    @groq
    Scenario: a Groq model without structured output refuses a schema
      Given a completion whose answer must follow the "one answer" schema
      When a completion is requested from Groq's "llama-3.1-8b-instant"
      Then the attempt fails with "bad-request"

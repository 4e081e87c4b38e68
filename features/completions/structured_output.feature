@provider_validation @functional_validation
Feature: A completion can be asked to answer in JSON, or in JSON that follows a schema
  | need                                  | ask for                                   | models                                          |
  |---------------------------------------|-------------------------------------------|-------------------------------------------------|
  | any JSON object                       | `ResponseFormat = ChatResponseFormat.Json` | every chat model of both providers              |
  | JSON of a given shape (structured output) | `ChatResponseFormat.ForJsonSchema(schema)` | models the catalog marks as supporting JSON schema |

  ```csharp
  var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schemaElement, "answer") };
  ChatResult answer = await chat.CompleteAsync("Summarise the incident as JSON", options);
  var summary = JsonSerializer.Deserialize<IncidentSummary>(answer.Text);
  ```

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
      And a completion that must follow this JSON schema:
        """json
        {
          "type": "object",
          "properties": {
            "title":    { "type": "string", "minLength": 3, "maxLength": 80 },
            "severity": { "type": "string", "enum": ["low", "medium", "high"] },
            "affected": { "type": "integer", "minimum": 0, "maximum": 1000 },
            "tags":     { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": 4 },
            "resolved": { "type": "boolean" }
          },
          "required": ["title", "severity", "affected", "tags", "resolved"],
          "additionalProperties": false
        }
        """
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
      Given a completion that must follow this JSON schema:
        """json
        { "type": "object", "properties": { "answer": { "type": "string" } }, "required": ["answer"] }
        """
      When a completion is requested from Groq's "llama-3.1-8b-instant"
      Then the attempt fails with "bad-request"

@provider_validation @functional_validation
Feature: A model calls the functions it is offered, with arguments that follow their parameters
  A completion can offer the model functions — tools — each with a name, a description and its parameters as a JSON
  schema. The model may answer by calling one or more of them instead of writing text: the answer then finishes with
  `tool_calls` and carries each call's id, function and arguments. The caller runs the function and sends its result
  back with the call's id; the model then answers in text. The provider layer never runs a function itself. How in
  code: the guide's *Completions, parameters and structured output*.

  Whether the model calls a tool is the request's choice as much as the model's:

  | the request says                        | `tool_choice`                       | the model…                                      |
  |-----------------------------------------|-------------------------------------|-------------------------------------------------|
  | (nothing)                               | `auto`                              | calls a tool when the question calls for one    |
  | the model must call a tool              | `required`                          | calls one of the offered tools                  |
  | the model must call the "local time" tool | `{"type": "function", …}`          | calls that function, whatever the question      |
  | the model may not call tools            | `none`                              | answers in text                                 |

  The tools are defined in `src/ProviderSpecs.Drivers/Completions/OfferedTools.cs` (see *offered tool* in the
  glossary). Live, the arguments a model chooses differ from call to call, so they are checked against the function's
  parameters, never against fixed values.

  Rule: A model that must call a tool calls it with arguments that follow its parameters

    Scenario Outline: <provider>'s <model> calls the weather lookup it must call
      Given a completion that offers the "weather lookup" tool
      And the model must call a tool
      When a completion is requested from <provider>'s "<model>"
      Then the answer calls the "weather lookup" tool with arguments that follow its parameters

      @groq
      Examples: Groq
        | provider | model                   |
        | Groq     | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

    Scenario Outline: <provider>'s <model> streams its call of the weather lookup
      Given a completion that offers the "weather lookup" tool
      And the model must call a tool
      When a completion is streamed from <provider>'s "<model>"
      Then the stream ends with a call of the "weather lookup" tool with arguments that follow its parameters

      @groq
      Examples: Groq
        | provider | model                   |
        | Groq     | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

    Scenario Outline: <provider>'s <model> calls the one tool the request names
      Given a completion that offers the "weather lookup" tool
      And a completion that offers the "local time" tool
      And the model must call the "local time" tool
      When a completion is requested from <provider>'s "<model>"
      Then the answer calls the "local time" tool with arguments that follow its parameters

      @groq
      Examples: Groq
        | provider | model                   |
        | Groq     | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: After the tool's result, the model answers in text

    Scenario Outline: <provider>'s <model> answers from the weather lookup's result
      Given a completion that offers the "weather lookup" tool
      And the model must call a tool
      When a completion is requested from <provider>'s "<model>"
      And the tool's result is sent back to the model
      Then the answer has text
      And the answer calls no tool

      @groq
      Examples: Groq
        | provider | model                   |
        | Groq     | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

  Rule: A model that may not call tools answers in text, even when the question calls for one

    Scenario Outline: <provider>'s <model> answers the weather question in text when it may not call tools
      Given a completion that offers the "weather lookup" tool
      And the model may not call tools
      When a completion is requested from <provider>'s "<model>"
      Then the answer has text
      And the answer calls no tool

      @groq
      Examples: Groq
        | provider | model                   |
        | Groq     | llama-3.3-70b-versatile |

      @together_ai
      Examples: Together AI
        | provider    | model                                   |
        | Together AI | meta-llama/Llama-3.3-70B-Instruct-Turbo |

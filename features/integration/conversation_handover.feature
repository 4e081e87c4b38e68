@provider_validation @integration_validation @groq @together_ai
Feature: One conversation can be continued on another provider
  Both providers speak the same chat format, so a conversation is just its list of messages: the answer one
  provider gave is added as the assistant's turn, and the whole history can be sent to any other provider — to move
  to a cheaper model, or when the first provider is unavailable. How in code: the guide's *Completions, parameters
  and structured output*.

  Rule: the conversation carries over whole, and the other provider answers it

    Scenario Outline: a conversation begun on <first> is continued on <second>
      What left the client is read on the client's side, so this holds on the live target too.

      Given the conversation begins with <first> answering "Name three primary colours."
      When the conversation continues on <second> with "Which of them is the warmest?"
      Then the whole conversation left for <second>, taking turns, with <first>'s answer word for word
      And <second>'s answer is complete, with text, a finish reason and token usage

      Examples:
        | first       | second      |
        | Groq        | Together AI |
        | Together AI | Groq        |

    @simulator_only
    Scenario Outline: <second> receives the whole conversation, with the answer <first> gave
      What the second provider received is read from the simulated provider's request log — the provider's side of
      the wire, which only a simulator shows — so this runs on the simulated target only.

      Given the conversation begins with <first> answering "Name three primary colours."
      When the conversation continues on <second> with "Which of them is the warmest?"
      Then the conversation reached <second> whole, with the answer from <first>

      Examples:
        | first       | second      |
        | Groq        | Together AI |
        | Together AI | Groq        |

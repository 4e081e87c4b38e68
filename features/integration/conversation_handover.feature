@provider_validation @integration_validation @groq @together_ai
Feature: One conversation can be continued on another provider
  Both providers speak the same OpenAI chat format, so a conversation is just its list of messages
  (`IList<ChatMessage>`): the answer one provider gave is added as an `assistant` message, and the whole history
  can be sent to any other provider — to move to a cheaper model, or when the first provider is unavailable.

  ```csharp
  var history = new List<ChatMessage> { new(ChatRole.User, "Name three primary colours.") };
  var first = await groqChat.CompleteAsync(history);
  history.Add(new ChatMessage(ChatRole.Assistant, first.Text));
  history.Add(new ChatMessage(ChatRole.User, "Which of them is the warmest?"));
  var second = await togetherChat.CompleteAsync(history);
  ```

  Rule: the conversation carries over whole, and the other provider answers it

    Scenario Outline: a conversation begun on <first> is continued on <second>
      Given the conversation begins with <first> answering "Name three primary colours."
      When the conversation continues on <second> with "Which of them is the warmest?"
      Then the conversation is answered by <second>
      And the conversation holds 4 messages, taking turns

      Examples:
        | first       | second      |
        | Groq        | Together AI |
        | Together AI | Groq        |

    @simulator_only
    Scenario Outline: <second> receives the whole conversation, with the answer <first> gave
      What the second provider received is read from the simulated provider's request log, so this runs on the
      simulated target only.

      Given the conversation begins with <first> answering "Name three primary colours."
      When the conversation continues on <second> with "Which of them is the warmest?"
      Then the conversation reached <second> whole, with the answer from <first>

      Examples:
        | first       | second      |
        | Groq        | Together AI |
        | Together AI | Groq        |

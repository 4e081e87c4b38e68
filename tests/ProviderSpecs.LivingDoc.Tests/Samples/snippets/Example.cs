namespace Samples;

public static class Example
{
    public static string Run()
    {
        // begin-snippet: sample-chat
        var answer = "Hello from <the> provider";
        return answer;
        // end-snippet
    }
}

using SupportBot.Chaos;

// dotnet run -c Release --project bench/Chaos -- short | soak [--minutes 30] [--users 200] ...   (see bench/Chaos/README.md)
var options = ChaosOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(ChaosOptions.Usage);
    return 2;
}
return await ChaosRun.RunAsync(options);

Console.WriteLine("AppHost: hosting layer not written yet");

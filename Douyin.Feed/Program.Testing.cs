// Lets tests reach the entry point (WebApplicationFactory<Program>-style hosting).
public partial class Program;

using System.Text.Json;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting.Publishing;

/// <summary>
/// Writes aspire-manifest.json as Aspire 9/13 does for azd (aspire-manifest.md): only project.v0, container.v0, parameter.v0
/// and value.v0; every value is the model's manifest expression, never a resolved value.
/// </summary>
internal static class ManifestWriter
{
    public static async Task<string> WriteAsync(Publisher publisher, string outputPath, CancellationToken cancellationToken)
    {
        var file = outputPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? outputPath : Path.Combine(outputPath, "aspire-manifest.json");
        var directory = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(directory);
        await using var stream = File.Create(file);
        await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("$schema", "https://json.schemastore.org/aspire-8.0.json");
        json.WriteStartObject("resources");
        foreach (var resource in publisher.Resources)
        {
            WriteResource(json, resource, directory);
        }
        json.WriteEndObject();
        json.WriteEndObject();
        return file;
    }

    private static void WriteResource(Utf8JsonWriter json, IResource resource, string manifestDirectory)
    {
        if (resource is AzureStorageResource { IsEmulator: false })
        {
            return; // emulators are dropped; its blobs are supplied as a connection string
        }
        json.WriteStartObject(resource.Name);
        switch (resource)
        {
            case var supplied when Publisher.SuppliedConnectionString(supplied) is { } parameter:
                WriteParameter(json, parameter);
                break;
            case ParameterResource parameter:
                WriteParameter(json, parameter);
                break;
            case ProjectResource project:
                json.WriteString("type", "project.v0");
                json.WriteString("path", Path.GetRelativePath(manifestDirectory, project.Metadata.ProjectPath).Replace('\\', '/'));
                WriteEnvironment(json, Publisher.ProjectEnvironment(project));
                WriteBindings(json, project);
                break;
            case ContainerResource container:
                WriteContainer(json, container);
                break;
            case IResourceWithConnectionString value:
                json.WriteString("type", "value.v0");
                json.WriteString("connectionString", value.ConnectionStringExpression.ValueExpression);
                break;
            default:
                throw new DistributedApplicationException($"The manifest publisher does not support '{resource.Name}' ({resource.GetType().Name}).");
        }
        json.WriteEndObject();
    }

    private static void WriteParameter(Utf8JsonWriter json, ParameterResource parameter)
    {
        json.WriteString("type", "parameter.v0");
        if (parameter is IResourceWithConnectionString)
        {
            json.WriteString("connectionString", $"{{{parameter.Name}.value}}");
        }
        json.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        json.WriteStartObject("inputs");
        json.WriteStartObject("value");
        json.WriteString("type", "string");
        if (parameter.Secret)
        {
            json.WriteBoolean("secret", true);
        }
        if (parameter.Default is GenerateParameterDefault generate)
        {
            json.WriteStartObject("default");
            json.WriteStartObject("generate");
            json.WriteNumber("minLength", generate.MinLength);
            // Aspire writes a character class only to switch it off.
            if (!generate.Special)
            {
                json.WriteBoolean("special", false);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteContainer(Utf8JsonWriter json, ContainerResource container)
    {
        json.WriteString("type", "container.v0");
        if (container is IResourceWithConnectionString connectionString)
        {
            json.WriteString("connectionString", connectionString.ConnectionStringExpression.ValueExpression);
        }
        json.WriteString("image", Publisher.ContainerImage(container));
        if (container.Entrypoint is { } entrypoint)
        {
            json.WriteString("entrypoint", entrypoint);
        }
        if (container.TryGetLastAnnotation<CommandLineArgsAnnotation>(out var args))
        {
            json.WriteStartArray("args");
            args.Args.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
        }
        var volumes = container.Annotations.OfType<ContainerMountAnnotation>().Where(m => m.Type == ContainerMountType.Volume).ToList();
        if (volumes.Count > 0)
        {
            json.WriteStartArray("volumes");
            foreach (var volume in volumes)
            {
                json.WriteStartObject();
                json.WriteString("name", volume.Source);
                json.WriteString("target", volume.Target);
                json.WriteBoolean("readOnly", volume.IsReadOnly);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        WriteEnvironment(json, container.Annotations.OfType<EnvironmentAnnotation>().Select(e => new KeyValuePair<string, object>(e.Name, e.Value)));
        WriteBindings(json, container);
    }

    private static void WriteEnvironment(Utf8JsonWriter json, IEnumerable<KeyValuePair<string, object>> environment)
    {
        json.WriteStartObject("env");
        foreach (var (name, value) in environment)
        {
            json.WriteString(name, value switch
            {
                // Literal braces are doubled, so azd does not read them as placeholders.
                string literal => literal.Replace("{", "{{").Replace("}", "}}"),
                IManifestExpressionProvider expression => expression.ValueExpression,
                var other => throw new DistributedApplicationException($"Unsupported environment value of type {other.GetType().Name} for '{name}'."),
            });
        }
        json.WriteEndObject();
    }

    private static void WriteBindings(Utf8JsonWriter json, IResource resource)
    {
        json.WriteStartObject("bindings");
        foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
        {
            json.WriteStartObject(endpoint.Name);
            json.WriteString("scheme", endpoint.UriScheme);
            json.WriteString("protocol", "tcp");
            json.WriteString("transport", endpoint.Transport);
            if (endpoint.TargetPort is { } targetPort)
            {
                json.WriteNumber("targetPort", targetPort);
            }
            if (endpoint.IsExternal)
            {
                json.WriteBoolean("external", true);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }
}

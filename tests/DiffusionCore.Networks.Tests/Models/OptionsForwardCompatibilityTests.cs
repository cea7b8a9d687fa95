using System.Text.Json;
using System.Text.Json.Nodes;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.UViT;

namespace DiffusionCore.Networks.Tests.Models;

/// <summary>
/// A model file written before an option existed lacks its member; it must load with that option's default, not with
/// zero (a file of an older version must mean what it meant then). Options are compared as their JSON (lists compare
/// by reference in records).
/// </summary>
public class OptionsForwardCompatibilityTests
{
    public static TheoryData<string> Families() => [Edm2UNetOptions.Family, SongUNetOptions.Family, DhariwalUNetOptions.Family, DiTOptions.Family, UViTOptions.Family];

    private static (JsonElement Defaults, Func<JsonElement, string> Read) For(string family) => family switch
    {
        Edm2UNetOptions.Family => (new Edm2UNetOptions().ToJson(), j => Edm2UNetOptions.FromJson(j).ToJson().GetRawText()),
        SongUNetOptions.Family => (new SongUNetOptions().ToJson(), j => SongUNetOptions.FromJson(j).ToJson().GetRawText()),
        DhariwalUNetOptions.Family => (new DhariwalUNetOptions().ToJson(), j => DhariwalUNetOptions.FromJson(j).ToJson().GetRawText()),
        DiTOptions.Family => (new DiTOptions().ToJson(), j => DiTOptions.FromJson(j).ToJson().GetRawText()),
        _ => (new UViTOptions().ToJson(), j => UViTOptions.FromJson(j).ToJson().GetRawText()),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void A_missing_member_loads_as_its_default(string family)
    {
        (JsonElement defaults, Func<JsonElement, string> read) = For(family);
        string expected = defaults.GetRawText();
        read(defaults).Should().Be(expected);
        foreach (string member in defaults.EnumerateObject().Select(p => p.Name).ToList())
        {
            var node = (JsonObject)JsonNode.Parse(defaults.GetRawText())!;
            node.Remove(member);
            string got = read(JsonSerializer.SerializeToElement(node));
            got.Should().Be(expected, $"a {family} file without '{member}' means the default {member}");
        }
    }
}

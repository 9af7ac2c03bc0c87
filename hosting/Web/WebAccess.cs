using System.Security.Cryptography;
using System.Text;

namespace MemristorGrid.Hosting.Web;

/// <summary>
/// The one secret that opens a silo's web host (metrics, dashboard, live job page): from
/// <c>MEMGRID_WEB_TOKEN</c>, or the file <c>MEMGRID_WEB_TOKEN_FILE</c> names (a mounted Secret), else
/// generated for this process and announced once, as Jupyter does. Machines send it as a bearer token
/// (Prometheus' <c>authorization.credentials_file</c>) or as HTTP Basic's password; browsers log in once at
/// <c>/login</c> and get a session cookie derived from it (HMAC), so every silo sharing the token accepts it.
/// </summary>
public sealed class WebAccess
{
    public const string TokenVariable = "MEMGRID_WEB_TOKEN", TokenFileVariable = "MEMGRID_WEB_TOKEN_FILE", SessionCookie = "memgrid_session";

    /// <summary>Shorter secrets can be guessed over the network; a generated one has 256 bits.</summary>
    public const int MinimumLength = 16;

    private readonly byte[] _tokenHash;

    /// <param name="source">Where the token came from (a variable's name); null for one made for this process.</param>
    public WebAccess(string token, string? source)
    {
        if (token.Length < MinimumLength)
            throw new Engine.UserInputException($"the web token must be at least {MinimumLength} characters (set {TokenVariable} or {TokenFileVariable} to a longer secret)");
        Token = token;
        Source = source;
        _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        SessionValue = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "memgrid web session v1"u8));
    }

    public string Token { get; }

    /// <summary>The variable the token came from; null when none was configured and this one was made for the process (and must be announced).</summary>
    public string? Source { get; }

    /// <summary>The session cookie's value: a function of the token, so it is only as old as the token.</summary>
    public string SessionValue { get; }

    public bool Accepts(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _tokenHash);

    public bool AcceptsSession(string? cookie) =>
        cookie is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(SessionValue));

    public static WebAccess FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token) return new WebAccess(token.Trim(), TokenVariable);
        if (Environment.GetEnvironmentVariable(TokenFileVariable) is { Length: > 0 } file)
        {
            string text;
            try { text = File.ReadAllText(file).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            { throw new Engine.UserInputException($"{TokenFileVariable} {file} cannot be read: {e.Message}"); }
            return new WebAccess(text, TokenFileVariable);
        }
        return new WebAccess(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'), source: null);
    }
}

using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MemristorGrid.Hosting.Web;

/// <summary>
/// Authenticates a request by <see cref="WebAccess"/>'s token (bearer or Basic password) or its session
/// cookie. A browser asking for a page without either is sent to <c>/login</c>; anything else gets 401
/// with the schemes it may use.
/// </summary>
internal sealed class TokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, WebAccess access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "memgrid-token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header))
            return Task.FromResult(access.Accepts(Presented(header)) ? Success(header.Scheme) : AuthenticateResult.Fail("wrong token"));
        if (Request.Cookies[WebAccess.SessionCookie] is { } cookie)
            return Task.FromResult(access.AcceptsSession(cookie) ? Success("session") : AuthenticateResult.Fail("stale session"));
        return Task.FromResult(AuthenticateResult.NoResult());
    }

    /// <summary>The secret in an Authorization header: a bearer token, or Basic's password (any user name).</summary>
    private static string? Presented(AuthenticationHeaderValue header)
    {
        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return header.Parameter;
        if (!header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null) return null;
        try
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            int colon = pair.IndexOf(':');
            return colon >= 0 ? pair[(colon + 1)..] : null;
        }
        catch (FormatException) { return null; }
    }

    private AuthenticateResult Success(string how) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator")], how)), Name));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        bool browser = HttpMethods.IsGet(Request.Method) && Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal);
        if (browser)
        {
            Response.Redirect("/login?return=" + Uri.EscapeDataString(Request.Path + Request.QueryString));
            return Task.CompletedTask;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"memgrid\", Basic realm=\"memgrid\"";
        return Task.CompletedTask;
    }
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MemristorGrid.Hosting.Web;

/// <summary><c>/login</c>: a form for the token; the right one sets the session cookie and returns to the page asked for.</summary>
internal static class LoginPage
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Results.Redirect("/jobs")).AllowAnonymous();
        endpoints.MapGet("/login", (HttpContext context) => Form(context.Request.Query["return"], failed: false)).AllowAnonymous();
        // Two parameters, so that the lambda is a handler whose result is written (one HttpContext alone would make it a RequestDelegate).
        endpoints.MapPost("/login", async (HttpContext context, WebAccess access) =>
        {
            var form = await context.Request.ReadFormAsync();
            string? back = form["return"];
            if (!access.Accepts(form["token"]))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500)); // slows guessing; a generated token has 256 bits anyway
                return Form(back, failed: true);
            }
            context.Response.Cookies.Append(WebAccess.SessionCookie, access.SessionValue, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/",
            });
            return Results.Redirect(Local(back));
        }).AllowAnonymous().DisableAntiforgery();
    }

    /// <summary>Only a path on this host: an open redirect would send a fresh session elsewhere.</summary>
    private static string Local(string? path) =>
        path is { Length: > 0 } && path[0] == '/' && !path.StartsWith("//", StringComparison.Ordinal) && !path.StartsWith("/\\", StringComparison.Ordinal) ? path : "/jobs";

    private static IResult Form(string? back, bool failed) => Results.Content($$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>MemristorGrid · log in</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{font-family:system-ui,sans-serif;background:#f4f5f7;display:grid;place-items:center;height:100vh;margin:0}
        form{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;min-width:22rem}
        input{width:100%;padding:.5rem;margin:.5rem 0 1rem;box-sizing:border-box;font-family:monospace}
        button{padding:.5rem 1.5rem}.error{color:#b00020}</style></head><body>
        <form method="post" action="/login"><h2>MemristorGrid</h2>
        <label for="token">Web token (<code>MEMGRID_WEB_TOKEN</code>, or the one the process printed)</label>
        <input id="token" name="token" type="password" autocomplete="current-password" autofocus>
        <input type="hidden" name="return" value="{{WebUtility.HtmlEncode(Local(back))}}">
        {{(failed ? "<p class=\"error\" id=\"error\">That is not the token.</p>" : "")}}
        <button type="submit" id="login">Log in</button></form></body></html>
        """, "text/html; charset=utf-8", statusCode: failed ? 401 : 200);
}

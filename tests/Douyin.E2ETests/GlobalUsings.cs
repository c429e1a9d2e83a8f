global using Douyin.E2ETests.Infrastructure;
global using Douyin.IntegrationTests.Infrastructure;
global using Microsoft.Playwright;
global using static Microsoft.Playwright.Assertions;

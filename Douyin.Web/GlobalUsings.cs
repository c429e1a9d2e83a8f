global using Douyin.ServiceDefaults;
global using Douyin.Api;
global using Douyin.Web.Gateway;

global using Douyin.ServiceDefaults;
global using Douyin.ServiceDefaults.Api;
global using Douyin.Web.Gateway;

import { defineConfig } from "vite";

// Built into Douyin.Web/wwwroot/app (git-ignored), served under /app; Web answers the client's routes with its index.html.
export default defineConfig({
  base: "/app/",
  build: {
    outDir: "../wwwroot/app",
    emptyOutDir: true,
  },
});

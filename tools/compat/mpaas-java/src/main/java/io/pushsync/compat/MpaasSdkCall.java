package io.pushsync.compat;

import com.aliyun.tea.TeaException;
import com.aliyun.tea.TeaModel;
import com.aliyun.teaopenapi.models.Config;
import com.aliyun.teaopenapi.models.OpenApiRequest;
import com.aliyun.teaopenapi.models.Params;
import com.aliyun.teautil.models.RuntimeOptions;
import com.aliyuncs.CommonRequest;
import com.aliyuncs.CommonResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.http.MethodType;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls pushsync's mPaaS OpenAPI face with the official Alibaba Cloud Java SDKs, the way a tenant's
 * server would, and prints one JSON line per call on stdout:
 * <ul>
 *   <li>{@code tea-typed}: the generated mPaaS client {@code com.aliyun.mpaas20201028.Client#pushSimple}, when it
 *       is on the classpath (Maven profile {@code mpaas-typed}); otherwise a line with {@code "skipped"}.</li>
 *   <li>{@code tea-pushsimple}: {@code com.aliyun.teaopenapi.Client#callApi} with exactly the Params the generated
 *       client's pushSimpleWithOptions uses (RPC style, form body): the same request on the wire.</li>
 *   <li>{@code tea-describe}: callApi DescribeServiceStatus, parameters in the query (Tea's default signature).</li>
 *   <li>{@code tea-v2-describe}: the same with {@code signatureAlgorithm = "v2"} (Tea's RPC signature v1 path).</li>
 *   <li>{@code core-describe}: the older aliyun-java-sdk-core {@code CommonRequest} DescribeServiceStatus.</li>
 * </ul>
 * An SDK error (the SDK raising the gateway's error answer) is an expected outcome and is printed with its
 * code; anything else (connection refused, a bug here) exits with status 2.
 *
 * <p>Usage: {@code MpaasSdkCall ENDPOINT ACCESS_KEY_ID SECRET APP_ID WORKSPACE_ID}, ENDPOINT as
 * {@code http://127.0.0.1:PORT}; or the environment variables PUSHSYNC_ENDPOINT, PUSHSYNC_ACCESS_KEY_ID,
 * PUSHSYNC_ACCESS_KEY_SECRET, PUSHSYNC_APP_ID, PUSHSYNC_WORKSPACE_ID.
 */
public final class MpaasSdkCall {
  private static final String VERSION = "2020-10-28";
  private static final String[] ENV = {"PUSHSYNC_ENDPOINT", "PUSHSYNC_ACCESS_KEY_ID", "PUSHSYNC_ACCESS_KEY_SECRET", "PUSHSYNC_APP_ID", "PUSHSYNC_WORKSPACE_ID"};

  private final URI endpoint;
  private final String accessKeyId;
  private final String secret;
  private final String appId;
  private final String workspaceId;

  private MpaasSdkCall(String[] values) {
    this.endpoint = URI.create(values[0]);
    this.accessKeyId = values[1];
    this.secret = values[2];
    this.appId = values[3];
    this.workspaceId = values[4];
    if (endpoint.getHost() == null || endpoint.getPort() < 0) throw new IllegalArgumentException("endpoint must look like http://127.0.0.1:PORT, got " + values[0]);
  }

  public static void main(String[] args) {
    String[] values = args.length == 5 ? args : new String[ENV.length];
    if (args.length != 5) {
      for (int i = 0; i < ENV.length; i++) values[i] = System.getenv(ENV[i]);
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null || values[i].isEmpty()) {
        System.err.println("usage: MpaasSdkCall ENDPOINT ACCESS_KEY_ID SECRET APP_ID WORKSPACE_ID (or set " + String.join(", ", ENV) + "); missing " + ENV[i]);
        System.exit(64);
      }
    }
    try {
      MpaasSdkCall call = new MpaasSdkCall(values);
      call.teaTyped();
      call.teaPushSimple();
      call.teaDescribe("tea-describe", null);
      call.teaDescribe("tea-v2-describe", "v2");
      call.coreDescribe();
    } catch (Throwable unexpected) {
      unexpected.printStackTrace();
      System.exit(2);
    }
  }

  /** host:port, as the SDKs want `endpoint` (they add the scheme from `protocol`). */
  private String hostPort() {
    return endpoint.getHost() + ":" + endpoint.getPort();
  }

  private String protocol() {
    return endpoint.getScheme() == null ? "HTTP" : endpoint.getScheme().toUpperCase();
  }

  private Config teaConfig(String signatureAlgorithm) {
    Config config = new Config().setAccessKeyId(accessKeyId).setAccessKeySecret(secret).setEndpoint(hostPort()).setProtocol(protocol()).setRegionId("cn-hangzhou");
    if (signatureAlgorithm != null) config.setSignatureAlgorithm(signatureAlgorithm);
    return config;
  }

  private static RuntimeOptions runtime() {
    // One attempt: a retried request would send a second nonce and hide what the first answer was.
    return new RuntimeOptions().setAutoretry(false).setMaxAttempts(1).setReadTimeout(20_000).setConnectTimeout(5_000);
  }

  /** The PushSimple body the generated client builds from a PushSimpleRequest (names as in its @NameInMap). */
  private Map<String, Object> pushSimpleBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("AppId", appId);
    body.put("WorkspaceId", workspaceId);
    body.put("DeliveryType", 3L);
    body.put("TargetMsgkey", "{\"user-1\":\"msg-1\"}");
    body.put("Title", "pushsync compat");
    body.put("Content", "hello from the official Java SDK");
    body.put("ExpiredSeconds", 300L);
    body.put("PushAction", 0L);
    return body;
  }

  private void teaTyped() throws Exception {
    Map<String, Object> line = line("tea-typed");
    Class<?> clientClass;
    Class<?> requestClass;
    try {
      clientClass = Class.forName("com.aliyun.mpaas20201028.Client");
      requestClass = Class.forName("com.aliyun.mpaas20201028.models.PushSimpleRequest");
    } catch (ClassNotFoundException absent) {
      line.put("skipped", "com.aliyun:mpaas20201028 is not on the classpath (Maven profile mpaas-typed)");
      print(line);
      return;
    }
    try {
      Object client = clientClass.getConstructor(Config.class).newInstance(teaConfig(null));
      TeaModel request = TeaModel.build(pushSimpleBody(), (TeaModel) requestClass.getConstructor().newInstance());
      Object response = clientClass.getMethod("pushSimpleWithOptions", requestClass, RuntimeOptions.class).invoke(client, request, runtime());
      answered(line, TeaModel.toMap(response));
    } catch (InvocationTargetException thrown) {
      if (!(thrown.getCause() instanceof TeaException)) throw thrown;
      refused(line, (TeaException) thrown.getCause());
    }
    print(line);
  }

  private void teaPushSimple() throws Exception {
    // As com.aliyun.mpaas20201028.Client#pushSimpleWithOptions (5.4.1) builds it; protocol comes from the config.
    Params params = new Params().setAction("PushSimple").setVersion(VERSION).setProtocol("HTTPS").setPathname("/").setMethod("POST")
        .setAuthType("AK").setStyle("RPC").setReqBodyType("formData").setBodyType("json");
    OpenApiRequest request = new OpenApiRequest().setBody(com.aliyun.openapiutil.Client.parseToMap(pushSimpleBody()));
    teaCall("tea-pushsimple", null, params, request);
  }

  private void teaDescribe(String client, String signatureAlgorithm) throws Exception {
    Params params = new Params().setAction("DescribeServiceStatus").setVersion(VERSION).setProtocol("HTTP").setPathname("/").setMethod("POST")
        .setAuthType("AK").setStyle("RPC").setReqBodyType("json").setBodyType("json");
    Map<String, String> query = new LinkedHashMap<>();
    query.put("AppId", appId);
    query.put("WorkspaceId", workspaceId);
    teaCall(client, signatureAlgorithm, params, new OpenApiRequest().setQuery(query));
  }

  private void teaCall(String client, String signatureAlgorithm, Params params, OpenApiRequest request) throws Exception {
    Map<String, Object> line = line(client);
    line.put("signatureAlgorithm", signatureAlgorithm == null ? "(default)" : signatureAlgorithm);
    try {
      answered(line, new com.aliyun.teaopenapi.Client(teaConfig(signatureAlgorithm)).callApi(params, request, runtime()));
    } catch (TeaException error) {
      refused(line, error);
    }
    print(line);
  }

  private void coreDescribe() throws Exception {
    Map<String, Object> line = line("core-describe");
    DefaultAcsClient client = new DefaultAcsClient(DefaultProfile.getProfile("cn-hangzhou", accessKeyId, secret));
    CommonRequest request = new CommonRequest();
    request.setSysMethod(MethodType.POST);
    request.setSysDomain(hostPort());
    request.setSysProtocol("HTTPS".equals(protocol()) ? ProtocolType.HTTPS : ProtocolType.HTTP);
    request.setSysVersion(VERSION);
    request.setSysAction("DescribeServiceStatus");
    request.putBodyParameter("AppId", appId);
    request.putBodyParameter("WorkspaceId", workspaceId);
    try {
      CommonResponse response = client.getCommonResponse(request);
      line.put("status", response.getHttpStatus());
      describe(line, com.aliyun.teautil.Common.parseJSON(response.getData()));
    } catch (ClientException error) {
      line.put("error", error.getClass().getSimpleName());
      line.put("code", error.getErrCode());
      line.put("message", error.getErrMsg());
    } finally {
      client.shutdown();
    }
    print(line);
  }

  private static Map<String, Object> line(String client) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("client", client);
    return line;
  }

  /** A Tea response map: {statusCode, headers, body}. */
  private static void answered(Map<String, Object> line, Map<String, ?> response) {
    line.put("status", response.get("statusCode"));
    describe(line, response.get("body"));
  }

  private static void describe(Map<String, Object> line, Object body) {
    if (!(body instanceof Map)) {
      line.put("body", String.valueOf(body));
      return;
    }
    Map<?, ?> map = (Map<?, ?>) body;
    line.put("resultCode", map.get("ResultCode"));
    line.put("resultMessage", map.get("ResultMessage"));
    line.put("requestId", map.get("RequestId"));
    if (map.get("ResultContent") instanceof Map) {
      Map<?, ?> content = (Map<?, ?>) map.get("ResultContent");
      line.put("appId", content.get("AppId"));
      line.put("workspaceId", content.get("WorkspaceId"));
    }
  }

  private static void refused(Map<String, Object> line, TeaException error) {
    Object status = error.getStatusCode();
    if (status == null && error.getData() != null) status = error.getData().get("statusCode");
    line.put("status", status);
    line.put("error", "TeaException");
    line.put("code", error.getCode());
    line.put("message", error.getMessage());
  }

  private static void print(Map<String, Object> line) {
    System.out.println(json(line));
    System.out.flush();
  }

  private static String json(Object value) {
    if (value == null) return "null";
    if (value instanceof Number || value instanceof Boolean) return value.toString();
    if (value instanceof Map) {
      StringBuilder out = new StringBuilder("{");
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        if (out.length() > 1) out.append(',');
        out.append(json(String.valueOf(entry.getKey()))).append(':').append(json(entry.getValue()));
      }
      return out.append('}').toString();
    }
    if (value instanceof List) {
      StringBuilder out = new StringBuilder("[");
      for (Object item : (List<?>) value) out.append(out.length() > 1 ? "," : "").append(json(item));
      return out.append(']').toString();
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toString().toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }
}

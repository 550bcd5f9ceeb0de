#include "ecr_credential_chain.hpp"

#include "ecr_profile.hpp"
#include "ecr_imds.hpp"
#include "ecr_sts.hpp"

namespace regscan::ecr {
namespace {

sdk::Error refused(const std::string& message) { return sdk::Error(REGSCAN_AUTH_FAILED, message); }

std::shared_ptr<CredentialProvider> keys(const sdk::Host& host, std::string id, std::string secret, std::string token,
                                         std::string source) {
    host.add_secret(secret);
    host.add_secret(token);
    AwsCredentials credentials;
    credentials.keys = {std::move(id), std::move(secret), std::move(token)};
    credentials.source = std::move(source);
    return std::make_shared<StaticCredentials>(std::move(credentials));
}

std::string where(const Profile& profile, const ProfileFiles& files) {
    return "profile '" + profile.name + "' (" + (profile.in_credentials ? files.credentials_path : files.config_path) +
           ")";
}

// Static keys of a profile, or nullptr when it has none.
std::shared_ptr<CredentialProvider> profile_keys(const sdk::Host& host, const Profile& profile,
                                                 const ProfileFiles& files) {
    auto id = profile.value("aws_access_key_id");
    auto secret = profile.value("aws_secret_access_key");
    if (id.empty() && secret.empty()) return nullptr;
    if (id.empty() || secret.empty())
        throw refused("AWS " + where(profile, files) + " has only one of aws_access_key_id and aws_secret_access_key");
    return keys(host, id, secret, profile.value("aws_session_token"), "AWS " + where(profile, files));
}

std::shared_ptr<CredentialProvider> assumed(const sdk::Host& host, const Environment& env,
                                            std::shared_ptr<CredentialProvider> base, const CredentialSettings& s,
                                            AssumeRoleRequest request) {
    if (request.session_name.empty()) request.session_name = "regscan";
    auto source = "role " + request.role_arn;
    return std::make_shared<RefreshingCredentials>(env, source, [host, env, base, s, request] {
        return assume_role(host, env, *base, s.sts_endpoint, s.region, request);
    });
}

// A profile that names no keys but role_arn + source_profile (one level).
std::shared_ptr<CredentialProvider> profile_role(const sdk::Host& host, const Environment& env, const Profile& profile,
                                                 const ProfileFiles& files, const CredentialSettings& settings) {
    auto role_arn = profile.value("role_arn");
    auto source_name = profile.value("source_profile");
    if (role_arn.empty() || source_name.empty()) return nullptr;
    auto source = load_profile(files, source_name);
    auto base = source.exists() ? profile_keys(host, source, files) : nullptr;
    if (!base)
        throw refused("AWS " + where(profile, files) + " assumes " + role_arn + " with source_profile '" +
                      source_name + "', which has no aws_access_key_id/aws_secret_access_key");
    return assumed(host, env, base, settings,
                   {role_arn, profile.value("role_session_name"), profile.value("external_id")});
}

std::shared_ptr<CredentialProvider> base_chain(const sdk::Host& host, const Environment& env,
                                               const CredentialSettings& settings) {
    if (!settings.access_key_id.empty() || !settings.secret_access_key.empty()) {
        if (settings.access_key_id == "AWS")
            throw refused("--username AWS with a registry password (aws ecr get-login-password) cannot list "
                          "repositories: ECR discovery needs AWS API credentials. Give an access key id and secret "
                          "access key as --username/--password, or none to use the AWS credential chain");
        if (settings.access_key_id.empty() || settings.secret_access_key.empty())
            throw refused("--username (AWS access key id) and --password (secret access key) go together");
        return keys(host, settings.access_key_id, settings.secret_access_key, "",
                    "the command line (--username/--password)");
    }

    auto env_id = env.get("AWS_ACCESS_KEY_ID");
    auto env_secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (!env_id.empty() || !env_secret.empty()) {
        if (env_id.empty() || env_secret.empty())
            throw refused("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
        return keys(host, env_id, env_secret, env.get("AWS_SESSION_TOKEN"), "environment variables AWS_ACCESS_KEY_ID");
    }

    auto files = ProfileFiles::locate(env);
    auto profile = load_profile(files, profile_name(env));
    bool named = !env.get("AWS_PROFILE").empty() || !env.get("AWS_DEFAULT_PROFILE").empty();
    if (profile.exists()) {
        if (auto found = profile_keys(host, profile, files)) return found;
        if (auto found = profile_role(host, env, profile, files, settings)) return found;
        for (const char* key : {"credential_process", "sso_session", "sso_start_url", "web_identity_token_file",
                                "credential_source"})
            if (!profile.value(key).empty())
                throw refused("AWS " + where(profile, files) + " gets its credentials through " + key +
                              ", which regscan does not support; export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/"
                              "AWS_SESSION_TOKEN for it instead");
        if (named) throw refused("AWS " + where(profile, files) + " holds no credentials");
    } else if (named) {
        throw refused("AWS profile '" + profile.name + "' is in neither " + files.credentials_path + " nor " +
                      files.config_path);
    }

    const std::string tried = "no AWS credentials on the command line, in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
                              "in profile '" + profile.name + "' (" + files.credentials_path + ", " +
                              files.config_path + ")";
    if (imds_disabled(env)) throw refused(tried + ", and AWS_EC2_METADATA_DISABLED turns off the instance role");
    auto endpoint = imds_endpoint(env);
    host.info("No AWS credentials in the command line, environment or shared files; asking the EC2 instance "
              "metadata service at " + endpoint);
    return std::make_shared<RefreshingCredentials>(env, "EC2 instance metadata at " + endpoint, [host, endpoint, tried] {
        try {
            return fetch_imds_credentials(host, endpoint);
        } catch (const CredentialsCut&) {
            throw;  // the listing's bounds, not the credentials: no advice about them
        } catch (const sdk::Error& e) {
            throw sdk::Error(e.status(), tried + "; " + e.what());
        }
    });
}

}  // namespace

std::shared_ptr<CredentialProvider> credential_chain(const sdk::Host& host, const Environment& env,
                                                     const CredentialSettings& settings) {
    auto base = base_chain(host, env, settings);
    if (settings.role_arn.empty()) return base;
    return assumed(host, env, base, settings, {settings.role_arn, settings.session_name, settings.external_id});
}

}  // namespace regscan::ecr
